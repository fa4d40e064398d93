import Logging
import Metrics
import Synchronization

/// Notices a blocking fetch that never comes back. Each slot says when it starts waiting on Redis and when a
/// reply (a job, or "nothing yet") arrives; errors do not count as a reply, so a slot that keeps failing stays
/// stalled from its first unanswered fetch. Read by `/readyz` and exported as
/// `calls_worker_stalled_fetch_slots`.
public final class FetchWatchdog: Sendable {
    public struct Stall: Sendable, Equatable {
        public var slot: Int
        public var waiting: Duration
    }

    let threshold: Duration
    private let waitingSince: Mutex<[Int: ContinuousClock.Instant]> = Mutex([:])

    public init(threshold: Duration) {
        self.threshold = threshold
    }

    func fetchStarted(slot: Int, at now: ContinuousClock.Instant = .now) {
        waitingSince.withLock { if $0[slot] == nil { $0[slot] = now } }
    }

    func fetchAnswered(slot: Int) {
        _ = waitingSince.withLock { $0.removeValue(forKey: slot) }
    }

    /// Slots waiting for a reply longer than the threshold, by slot number.
    public func stalls(at now: ContinuousClock.Instant = .now) -> [Stall] {
        waitingSince.withLock { since in
            since.compactMap { slot, started in
                let waiting = now - started
                return waiting > threshold ? Stall(slot: slot, waiting: waiting) : nil
            }
        }.sorted { $0.slot < $1.slot }
    }

    /// Why the worker is not ready, or nil when every fetch answers.
    public func problem(at now: ContinuousClock.Instant = .now) -> String? {
        let stalls = stalls(at: now)
        guard !stalls.isEmpty else { return nil }
        let slots = stalls.map { "slot \($0.slot) for \($0.waiting.components.seconds) s" }
        return "Redis has not answered job fetches: \(slots.joined(separator: ", "))"
    }

    /// Publishes the stalled-slot count and logs each change, once a second until cancelled.
    func watch(logger: Logger) async {
        let gauge = Gauge(label: "calls_worker_stalled_fetch_slots")
        var reported = 0
        while !Task.isCancelled {
            let stalled = stalls().count
            gauge.record(stalled)
            if stalled != reported {
                if let problem = problem() {
                    logger.error("job fetches are stuck", metadata: ["problem": "\(problem)"])
                } else {
                    logger.notice("job fetches answer again")
                }
                reported = stalled
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
