/// Decides when a file has stopped changing: its stamp must stay the same, observation after observation,
/// for the whole settle time. Any change (a write, a truncation, a replacement) starts the wait over.
/// Pure: the caller supplies the stamps and the (monotonic) times, so tests need no clock.
public struct SettleTracker: Sendable {
    public var settle: Duration
    private var seen: [String: (stamp: FileStamp, since: ContinuousClock.Instant)] = [:]

    public init(settle: Duration) {
        self.settle = settle
    }

    /// Records what `path` looks like at `now`; true when it has looked so for at least the settle time.
    public mutating func observe(_ path: String, _ stamp: FileStamp, now: ContinuousClock.Instant) -> Bool {
        if let previous = seen[path], previous.stamp == stamp {
            return now - previous.since >= settle
        }
        seen[path] = (stamp, now)
        return settle <= .zero
    }

    /// Forgets a path that is gone or taken, so a new file of that name starts its own wait.
    public mutating func forget(_ path: String) {
        seen[path] = nil
    }

    /// Forgets every path not in `present`, so the table does not grow with files long gone.
    public mutating func keepOnly(_ present: Set<String>) {
        seen = seen.filter { present.contains($0.key) }
    }
}
