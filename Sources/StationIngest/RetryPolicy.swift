/// How long a pair keeps trying: for ever when watching, a bounded number of attempts per step with `--once`
/// (a cron job must end; what it could not deliver stays in place for the next run, and it exits 1).
public struct RetryPolicy: Sendable {
    public var backoff: RetryBackoff
    /// Nil: for ever.
    public var maximumAttempts: Int?

    public init(backoff: RetryBackoff = RetryBackoff(), maximumAttempts: Int? = nil) {
        self.backoff = backoff
        self.maximumAttempts = maximumAttempts
    }
}
