/// Every setting of the API and the worker, read from `CALLS_*` variables. The README's configuration table
/// lists the same names and defaults.
public struct CallsConfiguration: Sendable {
    public var httpHost = "127.0.0.1"
    public var httpPort = 8000
    /// A connection waiting this long for a request head, a body chunk or its next request is closed.
    public var httpIdleTimeoutSeconds = 30
    /// Connections the API holds at once; more wait in the listen backlog.
    public var httpMaxConnections = 1000
    /// An upload slower than this on average (after the idle timeout's worth of grace) is abandoned with 408.
    public var uploadMinBytesPerSecond = 16 * 1024
    public var database: DatabaseURL
    public var redis: RedisURL
    /// The local store's root; with S3 storage, the scratch space for uploads and downloads in progress.
    public var recordingsDirectory = "recordings"
    public var storage = StorageSettings.local
    /// Key of the HMAC that signs the API's own download URLs; nil: a random key per process (URLs then work
    /// only on the node that made them, until it restarts).
    public var urlSigningKey: String?
    /// How long a download URL works.
    public var downloadURLTTLSeconds = 900
    /// Calls older than this many days are deleted with their recordings; nil: kept for ever.
    public var retentionDays: Int?
    /// The API's address as clients reach it, for the download URLs it hands out; nil: a URL relative to the
    /// API (or one from a trusted proxy's headers, with `trustForwardedHeaders`), never the request's Host.
    public var publicURL: String?
    /// Whether `X-Forwarded-Proto` and `X-Forwarded-Host` come from a proxy the operator vouches for.
    public var trustForwardedHeaders = false
    public var migrationsDirectory = "migrations"
    /// How long `GET /calls/{id}/events` stays open at most before the client must reconnect.
    public var eventStreamSeconds = 3600
    /// Long polls and event streams one call may have open at once on one API node (more: 429).
    public var maxWatchersPerCall = 100
    /// Long polls and event streams one API node holds open at once (more: 503).
    public var maxWatchers = 10_000
    /// The contract served at `/openapi.yaml`.
    public var openAPIFile = "openapi.yaml"
    public var maxUploadBytes: Int64 = 2 * 1024 * 1024 * 1024
    /// The server cancels an API statement that runs longer: no request can pin a pooled connection.
    public var apiStatementTimeoutMilliseconds = 5000
    /// The same for the worker, whose commits carry whole analyses.
    public var workerStatementTimeoutMilliseconds = 60_000
    /// Prefix of every Redis key, wrapped in a hash tag so all queue keys land in one cluster slot.
    public var queueName = "calls"
    public var workerConcurrency: Int
    public var jobLeaseSeconds = 30
    /// Analyses of one call before it is given up as `failed`.
    public var maxAttempts = 3
    /// First retry delay; each further retry doubles it (with jitter), up to five minutes.
    public var retryBaseMilliseconds = 1000
    /// After SIGTERM, how long a worker may finish the jobs in hand before it hands them back.
    public var shutdownGraceSeconds = 25
    /// Where a worker serves /metrics, /healthz and /readyz; nil for no listener.
    public var workerMetricsPort: Int?
    public var workerMetricsHost = "127.0.0.1"
    /// Deliveries after which a job that never finishes (it crashes its worker) is dead-lettered.
    public var maxDeliveries = 5
    /// A worker whose heartbeat is this old is dead and its jobs go back to the queue.
    public var heartbeatTTLSeconds = 10
    public var analysis = AnalysisSettings()
    public var archive = ArchiveSettings()
    /// Nil: callbacks off.
    public var callbacks: CallbackPolicy?
    /// API keys and their rate limit.
    public var access = AccessSettings()
    public var logLevel = "info"
    public var logFormat = LogFormat.json

    public init(database: DatabaseURL, redis: RedisURL, workerConcurrency: Int) {
        self.database = database
        self.redis = redis
        self.workerConcurrency = workerConcurrency
    }

    public init(environment: EnvironmentVariables, processorCount: Int) throws(ConfigurationError) {
        self.init(
            database: try environment.databaseURL("CALLS_DATABASE_URL"),
            redis: try environment.redisURL("CALLS_REDIS_URL"),
            workerConcurrency: try environment.integer(
                "CALLS_WORKER_CONCURRENCY", default: max(1, processorCount), in: 1...256)
        )
        httpHost = environment.string("CALLS_HTTP_HOST", default: httpHost)
        httpPort = try environment.integer("CALLS_HTTP_PORT", default: httpPort, in: 0...65535)
        httpIdleTimeoutSeconds = try environment.integer("CALLS_HTTP_IDLE_TIMEOUT_SECONDS", default: httpIdleTimeoutSeconds, in: 1...3600)
        httpMaxConnections = try environment.integer("CALLS_HTTP_MAX_CONNECTIONS", default: httpMaxConnections, in: 1...1_000_000)
        uploadMinBytesPerSecond = try environment.integer(
            "CALLS_UPLOAD_MIN_BYTES_PER_SECOND", default: uploadMinBytesPerSecond, in: 0...1_000_000_000)
        recordingsDirectory = environment.string("CALLS_RECORDINGS_DIR", default: recordingsDirectory)
        storage = try StorageSettings(environment: environment)
        urlSigningKey = environment.value("CALLS_URL_SIGNING_KEY")
        if let key = urlSigningKey, key.utf8.count < 32 {
            throw ConfigurationError(variable: "CALLS_URL_SIGNING_KEY", problem: "must be at least 32 characters (e.g. `openssl rand -hex 32`)")
        }
        if environment.value("CALLS_RETENTION_DAYS") != nil {
            retentionDays = try environment.integer("CALLS_RETENTION_DAYS", default: 0, in: 1...36_500)
        }
        downloadURLTTLSeconds = try environment.integer(
            "CALLS_DOWNLOAD_URL_TTL_SECONDS", default: downloadURLTTLSeconds, in: 1...604_800)
        publicURL = environment.value("CALLS_PUBLIC_URL").map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        if let url = publicURL, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw ConfigurationError(variable: "CALLS_PUBLIC_URL", problem: "must start with http:// or https://")
        }
        trustForwardedHeaders = try environment.boolean("CALLS_TRUST_FORWARDED_HEADERS", default: trustForwardedHeaders)
        migrationsDirectory = environment.string("CALLS_MIGRATIONS_DIR", default: migrationsDirectory)
        openAPIFile = environment.string("CALLS_OPENAPI_FILE", default: openAPIFile)
        eventStreamSeconds = try environment.integer("CALLS_EVENT_STREAM_MAX_SECONDS", default: eventStreamSeconds, in: 1...86_400)
        maxWatchersPerCall = try environment.integer("CALLS_MAX_WATCHERS_PER_CALL", default: maxWatchersPerCall, in: 1...1_000_000)
        maxWatchers = try environment.integer("CALLS_MAX_WATCHERS", default: maxWatchers, in: 1...1_000_000)
        maxUploadBytes = Int64(try environment.integer(
            "CALLS_MAX_UPLOAD_BYTES", default: Int(maxUploadBytes), in: 1...(1 << 40)))
        apiStatementTimeoutMilliseconds = try environment.integer(
            "CALLS_API_STATEMENT_TIMEOUT_MS", default: apiStatementTimeoutMilliseconds, in: 100...600_000)
        workerStatementTimeoutMilliseconds = try environment.integer(
            "CALLS_WORKER_STATEMENT_TIMEOUT_MS", default: workerStatementTimeoutMilliseconds, in: 100...3_600_000)
        queueName = environment.string("CALLS_QUEUE_NAME", default: queueName)
        guard queueName.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw ConfigurationError(variable: "CALLS_QUEUE_NAME", problem: "may hold only letters, digits, '-', '_' and '.'")
        }
        jobLeaseSeconds = try environment.integer("CALLS_JOB_LEASE_SECONDS", default: jobLeaseSeconds, in: 5...86_400)
        maxAttempts = try environment.integer("CALLS_MAX_ATTEMPTS", default: maxAttempts, in: 1...100)
        retryBaseMilliseconds = try environment.integer("CALLS_RETRY_BASE_MS", default: retryBaseMilliseconds, in: 1...600_000)
        maxDeliveries = try environment.integer("CALLS_MAX_DELIVERIES", default: maxDeliveries, in: 1...1000)
        heartbeatTTLSeconds = try environment.integer("CALLS_HEARTBEAT_TTL_SECONDS", default: heartbeatTTLSeconds, in: 1...300)
        if environment.value("CALLS_WORKER_METRICS_PORT") != nil {
            workerMetricsPort = try environment.integer("CALLS_WORKER_METRICS_PORT", default: 0, in: 0...65535)
        }
        workerMetricsHost = environment.string("CALLS_WORKER_METRICS_HOST", default: workerMetricsHost)
        shutdownGraceSeconds = try environment.integer("CALLS_SHUTDOWN_GRACE", default: shutdownGraceSeconds, in: 0...3600)
        analysis = try AnalysisSettings(environment: environment)
        archive = try ArchiveSettings(environment: environment)
        callbacks = try CallbackPolicy.from(environment)
        access = try AccessSettings(environment: environment, httpHost: httpHost)
        logFormat = try LogFormat(environment: environment)
        logLevel = environment.string("CALLS_LOG_LEVEL", default: logLevel).lowercased()
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        guard levels.contains(logLevel) else {
            throw ConfigurationError(variable: "CALLS_LOG_LEVEL", problem: "must be one of \(levels.joined(separator: ", "))")
        }
    }
}
