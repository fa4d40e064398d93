/// Every setting of `calls-worker`: the sections it shares with the API, and its own, read from the `CALLS_*`
/// variables it uses and no others (a malformed API setting cannot stop it). The README's configuration table
/// lists the same names and defaults.
public struct WorkerConfiguration: Sendable {
    // Shared with the API.
    public var database: DatabaseSettings
    public var queue: QueueSettings
    public var recordings = RecordingsSettings()
    /// Nil: callbacks off, and the worker takes no callback jobs.
    public var callbacks: CallbackPolicy?
    public var log = LogSettings()

    public var panel = PanelSettings()
    /// Subscriber activity: partitions, batch size, time zone, retention.
    public var activity = ActivitySettings()
    /// CDR exports: off while no consumer is configured.
    public var cdrExports = CdrExportSettings()
    public var sources = SourceSettings()

    // The worker's own.
    /// What this process does; every role by default.
    public var roles = Set(WorkerRole.allCases)
    /// `CALLS_PANEL_BATCH_SIZE`: stream entries the panel's consumer applies in one transaction at most.
    public var panelBatchSize = 5000
    /// `CALLS_CDR_GRACE_SECONDS`: how long a finished call waits for its legs and operator (from when it was
    /// first queued) before its CDR is built with what is known.
    public var cdrGraceSeconds = 120
    /// Analysis jobs this process runs at once, each on a decode thread of its own.
    public var concurrency: Int
    /// Callback deliveries this process makes at once (with callbacks on), each with a name-lookup thread of
    /// its own.
    public var callbackConcurrency = 2
    public var jobLeaseSeconds = 30
    /// Analyses of one call before it is given up as `failed`.
    public var maxAttempts = 3
    /// First retry delay; each further retry doubles it (with jitter), up to five minutes.
    public var retryBaseMilliseconds = 1000
    /// After SIGTERM, how long a worker may finish the jobs in hand before it hands them back.
    public var shutdownGraceSeconds = 25
    /// Where the worker serves /metrics, /healthz and /readyz; nil for no listener.
    public var metricsPort: Int?
    public var metricsHost = "127.0.0.1"
    /// Deliveries after which a job that never finishes (it crashes its worker) is dead-lettered.
    public var maxDeliveries = 5
    /// A worker whose heartbeat is this old is dead and its jobs go back to the queue.
    public var heartbeatTTLSeconds = 10
    public var analysis = AnalysisSettings()
    public var archive = ArchiveSettings()

    public static let defaultStatementTimeoutMilliseconds = 60_000

    public init(database: DatabaseURL, redis: RedisURL, concurrency: Int) {
        self.database = DatabaseSettings(url: database, statementTimeoutMilliseconds: Self.defaultStatementTimeoutMilliseconds)
        self.queue = QueueSettings(redis: redis)
        self.concurrency = concurrency
    }

    /// What `calls-worker`'s flags set, in place of their variables (which are then not read).
    public struct Flags: Sendable {
        public var concurrency: Int?

        public init(concurrency: Int? = nil) {
            self.concurrency = concurrency
        }
    }

    public static let concurrencyRange = 1...256

    public init(environment: EnvironmentVariables, processorCount: Int, flags: Flags = Flags()) throws(ConfigurationError) {
        let concurrency: Int
        if let flag = flags.concurrency {
            guard Self.concurrencyRange.contains(flag) else {
                throw ConfigurationError(variable: "--concurrency", problem: "must be a whole number from 1 to 256, got '\(flag)'")
            }
            concurrency = flag
        } else {
            concurrency = try environment.integer("CALLS_WORKER_CONCURRENCY", default: max(1, processorCount), in: Self.concurrencyRange)
        }
        self.init(
            database: try DatabaseSettings(
                environment: environment, url: nil, timeoutVariable: "CALLS_WORKER_STATEMENT_TIMEOUT_MS",
                defaultTimeoutMilliseconds: Self.defaultStatementTimeoutMilliseconds, timeoutRange: 100...3_600_000),
            queue: try QueueSettings(environment: environment), concurrency: concurrency)
        recordings = try RecordingsSettings(environment: environment)
        jobLeaseSeconds = try environment.integer("CALLS_JOB_LEASE_SECONDS", default: jobLeaseSeconds, in: 5...86_400)
        maxAttempts = try environment.integer("CALLS_MAX_ATTEMPTS", default: maxAttempts, in: 1...100)
        retryBaseMilliseconds = try environment.integer("CALLS_RETRY_BASE_MS", default: retryBaseMilliseconds, in: 1...600_000)
        maxDeliveries = try environment.integer("CALLS_MAX_DELIVERIES", default: maxDeliveries, in: 1...1000)
        heartbeatTTLSeconds = try environment.integer("CALLS_HEARTBEAT_TTL_SECONDS", default: heartbeatTTLSeconds, in: 1...300)
        if environment.value("CALLS_WORKER_METRICS_PORT") != nil {
            metricsPort = try environment.integer("CALLS_WORKER_METRICS_PORT", default: 0, in: 0...65535)
        }
        metricsHost = environment.string("CALLS_WORKER_METRICS_HOST", default: metricsHost)
        shutdownGraceSeconds = try environment.integer("CALLS_SHUTDOWN_GRACE", default: shutdownGraceSeconds, in: 0...3600)
        analysis = try AnalysisSettings(environment: environment)
        archive = try ArchiveSettings(environment: environment)
        callbacks = try CallbackPolicy.from(environment, delivering: true)
        callbackConcurrency = try environment.integer("CALLS_CALLBACK_CONCURRENCY", default: callbackConcurrency, in: 1...64)
        log = try LogSettings(environment: environment)
        panel = try PanelSettings(environment: environment)
        activity = try ActivitySettings(environment: environment)
        roles = try WorkerRole.parse(environment.string("CALLS_WORKER_ROLES", default: "all"))
        panelBatchSize = try environment.integer("CALLS_PANEL_BATCH_SIZE", default: panelBatchSize, in: 1...100_000)
        cdrGraceSeconds = try environment.integer("CALLS_CDR_GRACE_SECONDS", default: cdrGraceSeconds, in: 0...7 * 86_400)
        cdrExports = try CdrExportSettings(environment: environment)
        sources = try SourceSettings(environment: environment)
    }

    init(database: DatabaseSettings, queue: QueueSettings, concurrency: Int) {
        self.database = database
        self.queue = queue
        self.concurrency = concurrency
    }
}
