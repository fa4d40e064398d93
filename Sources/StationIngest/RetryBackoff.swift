/// Exponential backoff with full jitter: after the n-th failure, a delay drawn uniformly from
/// 0…min(cap, initial·2ⁿ⁻¹), so stations that lost the service together do not come back in step. A
/// `Retry-After` from the service is a floor: the client never asks again sooner than it was told.
public struct RetryBackoff: Sendable {
    public var initial: Duration
    public var cap: Duration
    /// A `Retry-After` longer than this is taken as this: a misconfigured proxy must not park a station for days.
    public var longestRetryAfter: Duration
    public private(set) var failures = 0

    public init(initial: Duration = .milliseconds(500), cap: Duration = .seconds(60), longestRetryAfter: Duration = .seconds(3600)) {
        self.initial = initial
        self.cap = cap
        self.longestRetryAfter = longestRetryAfter
    }

    /// The wait before the next attempt, counting one more failure; `jitter` in 0…1 picks the point in the range.
    public mutating func nextDelay(retryAfter: Duration? = nil, jitter: Double = .random(in: 0...1)) -> Duration {
        let ceiling = min(cap, initial * Double(1 << min(failures, 30)))
        failures += 1
        let drawn = ceiling * min(max(jitter, 0), 1)
        guard let retryAfter else { return drawn }
        return max(drawn, min(max(retryAfter, .zero), longestRetryAfter))
    }

    public mutating func reset() {
        failures = 0
    }
}
