/// Every setting of `calls-api`: the sections it shares with the worker, and its own, read from the `CALLS_*`
/// variables it uses and no others (a malformed worker setting cannot stop it). The README's configuration
/// table lists the same names and defaults.
public struct APIConfiguration: Sendable {
    // Shared with the worker.
    public var database: DatabaseSettings
    public var queue: QueueSettings
    public var recordings = RecordingsSettings()
    /// Nil: callbacks off, and a `callback_url` is refused.
    public var callbacks: CallbackPolicy?
    public var log = LogSettings()

    // The API's own.
    public var httpHost = "127.0.0.1"
    public var httpPort = 8000
    /// The gRPC server's port, on `httpHost`; nil: no gRPC server. `CALLS_GRPC_PORT` (default 9090, `off`).
    public var grpcPort: Int?
    /// A connection waiting this long for a request head, a body chunk or its next request is closed.
    public var httpIdleTimeoutSeconds = 30
    /// Connections the API holds at once; more wait in the listen backlog.
    public var httpMaxConnections = 1000
    /// An upload slower than this on average (after the idle timeout's worth of grace) is abandoned with 408.
    public var uploadMinBytesPerSecond = 16 * 1024
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
    /// The wallboard served at `/panel`.
    public var panelPageFile = "web/panel.html"
    public var maxUploadBytes: Int64 = 2 * 1024 * 1024 * 1024
    /// API keys and their rate limit.
    public var access = AccessSettings()
    /// `POST /events`' limits and the telephony stream's backlog cap.
    public var events = EventIngestSettings()
    public var panel = PanelSettings()
    /// `POST /api/v1/events`' limits, the activity streams and the aggregate cache.
    public var activity = ActivitySettings()

    public static let defaultStatementTimeoutMilliseconds = 5000

    public init(database: DatabaseURL, redis: RedisURL) {
        self.database = DatabaseSettings(url: database, statementTimeoutMilliseconds: Self.defaultStatementTimeoutMilliseconds)
        self.queue = QueueSettings(redis: redis)
    }

    /// What `calls-api`'s flags set, in place of their variables (which are then not read).
    public struct Flags: Sendable {
        public var database: DatabaseURL?
        public var migrationsDirectory: String?
        public var httpHost: String?
        public var httpPort: Int?

        public init(database: DatabaseURL? = nil, migrationsDirectory: String? = nil, httpHost: String? = nil, httpPort: Int? = nil) {
            self.database = database
            self.migrationsDirectory = migrationsDirectory
            self.httpHost = httpHost
            self.httpPort = httpPort
        }
    }

    public static let defaultGRPCPort = 9090

    public init(environment: EnvironmentVariables, flags: Flags = Flags()) throws(ConfigurationError) {
        self.init(
            database: try DatabaseSettings(
                environment: environment, url: flags.database, timeoutVariable: "CALLS_API_STATEMENT_TIMEOUT_MS",
                defaultTimeoutMilliseconds: Self.defaultStatementTimeoutMilliseconds, timeoutRange: 100...600_000),
            queue: try QueueSettings(environment: environment))
        httpHost = flags.httpHost ?? environment.string("CALLS_HTTP_HOST", default: httpHost)
        if let port = flags.httpPort {
            guard (0...65535).contains(port) else {
                throw ConfigurationError(variable: "--port", problem: "must be a whole number from 0 to 65535, got '\(port)'")
            }
            httpPort = port
        } else {
            httpPort = try environment.integer("CALLS_HTTP_PORT", default: httpPort, in: 0...65535)
        }
        if environment.value("CALLS_GRPC_PORT")?.lowercased() == "off" {
            grpcPort = nil
        } else {
            grpcPort = try environment.integer("CALLS_GRPC_PORT", default: Self.defaultGRPCPort, in: 0...65535)
        }
        httpIdleTimeoutSeconds = try environment.integer("CALLS_HTTP_IDLE_TIMEOUT_SECONDS", default: httpIdleTimeoutSeconds, in: 1...3600)
        httpMaxConnections = try environment.integer("CALLS_HTTP_MAX_CONNECTIONS", default: httpMaxConnections, in: 1...1_000_000)
        uploadMinBytesPerSecond = try environment.integer(
            "CALLS_UPLOAD_MIN_BYTES_PER_SECOND", default: uploadMinBytesPerSecond, in: 0...1_000_000_000)
        recordings = try RecordingsSettings(environment: environment)
        urlSigningKey = environment.value("CALLS_URL_SIGNING_KEY")
        if let key = urlSigningKey, key.utf8.count < 32 {
            throw ConfigurationError(
                variable: "CALLS_URL_SIGNING_KEY", problem: "must be at least 32 characters (e.g. `openssl rand -hex 32`)")
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
        migrationsDirectory = flags.migrationsDirectory ?? environment.string("CALLS_MIGRATIONS_DIR", default: migrationsDirectory)
        openAPIFile = environment.string("CALLS_OPENAPI_FILE", default: openAPIFile)
        panelPageFile = environment.string("CALLS_PANEL_PAGE_FILE", default: panelPageFile)
        eventStreamSeconds = try environment.integer("CALLS_EVENT_STREAM_MAX_SECONDS", default: eventStreamSeconds, in: 1...86_400)
        maxWatchersPerCall = try environment.integer("CALLS_MAX_WATCHERS_PER_CALL", default: maxWatchersPerCall, in: 1...1_000_000)
        maxWatchers = try environment.integer("CALLS_MAX_WATCHERS", default: maxWatchers, in: 1...1_000_000)
        maxUploadBytes = Int64(
            try environment.integer(
                "CALLS_MAX_UPLOAD_BYTES", default: Int(maxUploadBytes), in: 1...(1 << 40)))
        callbacks = try CallbackPolicy.from(environment, delivering: false)
        // After the host, flag or variable: `CALLS_AUTH=off` is refused off loopback.
        access = try AccessSettings(environment: environment, httpHost: httpHost)
        log = try LogSettings(environment: environment)
        events = try EventIngestSettings(environment: environment)
        panel = try PanelSettings(environment: environment)
        activity = try ActivitySettings(environment: environment)
    }

    init(database: DatabaseSettings, queue: QueueSettings) {
        self.database = database
        self.queue = queue
    }
}
