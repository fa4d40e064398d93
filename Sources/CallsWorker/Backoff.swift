/// When a job whose recording could not be analysed is tried again.
public struct RetryPolicy: Sendable {
    public var base: Duration
    public var cap: Duration = .seconds(300)
    public var maxDeliveries: Int
    /// How often one delivery retries in place an error that is not an outage before giving the job back.
    public var maxInPlaceRetries = 3

    public init(base: Duration, maxDeliveries: Int) {
        self.base = base
        self.maxDeliveries = maxDeliveries
    }

    /// Exponential from `base`, capped, with jitter so a batch of failures does not return all at once.
    public func delay(afterAttempt attempt: Int) -> Duration {
        min(base * (1 << min(max(attempt - 1, 0), 20)), cap) * Double.random(in: 0.5...1.0)
    }
}

/// Capped exponential backoff with jitter, so workers recovering from an outage do not retry in lockstep.
struct Backoff {
    var attempt = 0
    var base: Duration = .milliseconds(200)
    var cap: Duration = .seconds(10)

    mutating func next() -> Duration {
        attempt += 1
        return Self.delay(afterFailures: attempt, base: base, cap: cap)
    }

    /// The wait after the `failures`th failure in a row (the first waits about `base`).
    static func delay(afterFailures failures: Int, base: Duration = .milliseconds(200), cap: Duration = .seconds(10)) -> Duration {
        min(base * (1 << min(max(failures - 1, 0), 16)), cap) * Double.random(in: 0.5...1.0)
    }

    mutating func reset() {
        attempt = 0
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
