/// How `Tailer` batches and retries (the `calls-events tail` flags).
public struct TailSettings: Sendable {
    /// Lines per POST at most.
    public var batchLines = 1000
    /// Bytes per POST at most (a single longer line is skipped); at most `LogFollower.unacknowledgedGap`.
    public var batchBytes = 1 << 20
    /// How often the log is checked for new lines and rotations.
    public var pollInterval: Duration = .milliseconds(200)
    public var retryInitial: Duration = .milliseconds(500)
    public var retryMaximum: Duration = .seconds(30)
    /// Lines read ahead while the API is slow or down (bounded memory; the log on disk holds the rest).
    public var readAheadBytes = 8 << 20

    public init() {}
}
