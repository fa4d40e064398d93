/// Where and how CDRs are exported (issue 17): the consumers, the batch size and the timeout of one POST.
/// Attempts before a batch is dead-lettered are `CALLS_MAX_ATTEMPTS`, as for every job.
public struct CdrExportSettings: Sendable, Equatable {
    /// `CALLS_CDR_EXPORTS`: `name=url;…`, each URL the endpoint that receives the POST. Empty: exports off.
    public var consumers: [NamedEndpoint] = []
    /// `CALLS_CDR_BATCH`: records in one POST at most.
    public var batchSize = 100
    /// `CALLS_CDR_EXPORT_TIMEOUT_SECONDS`: one POST, from connecting to the answer's head.
    public var timeoutSeconds = 10
    /// `CALLS_CDR_EXPORT_CONCURRENCY`: export jobs one worker with the `jobs` role runs at once (each
    /// consumer has at most one batch in flight, so a consumer that hangs holds one slot at most).
    public var concurrency = 2
    /// `CALLS_CDR_EXPORT_POLL_MS`: how often the `exports` role schedules new CDR versions and forms batches.
    public var pollMilliseconds = 1000

    public init() {}

    public init(environment: EnvironmentVariables) throws(ConfigurationError) {
        consumers = try NamedEndpoint.parseList(environment.string("CALLS_CDR_EXPORTS", default: ""), variable: "CALLS_CDR_EXPORTS")
        batchSize = try environment.integer("CALLS_CDR_BATCH", default: batchSize, in: 1...10_000)
        timeoutSeconds = try environment.integer("CALLS_CDR_EXPORT_TIMEOUT_SECONDS", default: timeoutSeconds, in: 1...600)
        concurrency = try environment.integer("CALLS_CDR_EXPORT_CONCURRENCY", default: concurrency, in: 1...64)
        pollMilliseconds = try environment.integer("CALLS_CDR_EXPORT_POLL_MS", default: pollMilliseconds, in: 10...600_000)
    }

    public var enabled: Bool { !consumers.isEmpty }

    public func consumer(named name: String) -> NamedEndpoint? {
        consumers.first { $0.name == name }
    }
}
