/// What the client tells the person or the log collector watching it.
public enum IngestEvent: Sendable, Equatable {
    case taken(file: String, recordingBytes: Int64?)
    case created(file: String, callID: String)
    case uploading(file: String, sent: Int64, total: Int64)
    case retrying(file: String, step: String, reason: String, delay: Duration)
    case finished(file: String, PairOutcome)
    /// A fault of the client itself (the journal, a directory), or something a pair's delivery left out.
    case problem(String)
}

/// Receives the events; the terminal and the JSON log render them differently.
public protocol IngestReporter: Sendable {
    func report(_ event: IngestEvent)
    /// Once, when the run ends.
    func summarize(_ summary: IngestSummary)
}

public struct IngestSummary: Sendable, Equatable {
    public var delivered = 0
    public var failed = 0
    /// Pairs left for a later run: given up on with `--once`, or not yet complete.
    public var pending = 0
    public var bytesUploaded: Int64 = 0
    public var elapsed: Duration = .zero

    public init() {}
}
