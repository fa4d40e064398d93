/// Whether one more request of a key fits its rate limit.
struct RateDecision: Sendable, Equatable {
    var allowed: Bool
    /// When the next request would be allowed, if this one was not.
    var retryAfter: Duration?

    static let allowed = RateDecision(allowed: true, retryAfter: nil)
}

/// A token bucket per key: `burst` tokens, refilled at `perSecond`; each request takes one.
protocol RateLimiter: Sendable {
    func take(key: String, perSecond: Double, burst: Int) async throws -> RateDecision
}
