/// Exponential backoff with jitter for retrying a batch: `initial`, doubling per failure up to `maximum`, each
/// delay drawn from its upper half so that tailers of several PBXs do not retry in step.
public struct Backoff: Sendable {
    public var initial: Duration
    public var maximum: Duration
    public private(set) var failures = 0

    public init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay before the next attempt, after one more failure; `jitter` in 0…1 picks it from the upper half
    /// of the doubled delay (0: half of it, 1: all of it).
    public mutating func nextDelay(jitter: Double = .random(in: 0...1)) -> Duration {
        let doubled = initial * Double(1 << min(failures, 30))
        failures += 1
        return min(doubled, maximum) * (0.5 + 0.5 * min(max(jitter, 0), 1))
    }

    public mutating func reset() {
        failures = 0
    }
}
