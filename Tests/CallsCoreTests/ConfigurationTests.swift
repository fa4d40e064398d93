import CallsCore
import Foundation
import Testing

@Suite struct ConfigurationTests {
    let required = [
        "CALLS_DATABASE_URL": "postgres://calls:secret@db.internal:6543/calls",
        "CALLS_REDIS_URL": "redis://:pw@cache:6380/2",
    ]

    @Test func readsDefaultsAndRequiredURLs() throws {
        let api = try APIConfiguration(environment: EnvironmentVariables(required))
        let worker = try WorkerConfiguration(environment: EnvironmentVariables(required), processorCount: 3)
        let database = DatabaseURL(host: "db.internal", port: 6543, user: "calls", password: "secret", database: "calls")
        let redis = RedisURL(host: "cache", port: 6380, database: 2, password: "pw")
        #expect(api.database == DatabaseSettings(url: database, statementTimeoutMilliseconds: 5000))
        #expect(worker.database == DatabaseSettings(url: database, statementTimeoutMilliseconds: 60_000))
        #expect(api.queue == QueueSettings(redis: redis, name: "calls") && worker.queue == api.queue)
        #expect(api.recordings == RecordingsSettings(directory: "recordings", storage: .local) && worker.recordings == api.recordings)
        #expect(api.log == LogSettings(level: "info", format: .json) && worker.log == api.log)
        #expect(api.callbacks == nil && worker.callbacks == nil)
        #expect(api.httpPort == 8000 && api.grpcPort == 9090)
        #expect(api.maxUploadBytes == 2 * 1024 * 1024 * 1024)
        #expect(api.urlSigningKey == nil && api.publicURL == nil && !api.trustForwardedHeaders)
        #expect(api.downloadURLTTLSeconds == 900)
        #expect(worker.concurrency == 3)
        #expect(worker.callbackConcurrency == 2)
        #expect(worker.heartbeatTTLSeconds == 10)
        #expect(worker.cdrGraceSeconds == 120)
        #expect(worker.archive == ArchiveSettings())
        #expect(worker.archive.enabled && !worker.archive.keepOriginal)
        #expect(worker.archive.encoding == MP3Encoding(mode: .constant, bitrateKbps: 48, vbrQuality: 6))
    }

    @Test func turnsTheGRPCServerOffOrMovesIt() throws {
        var values = required
        values["CALLS_GRPC_PORT"] = "OFF"
        #expect(try APIConfiguration(environment: EnvironmentVariables(values)).grpcPort == nil)
        values["CALLS_GRPC_PORT"] = "0"
        #expect(try APIConfiguration(environment: EnvironmentVariables(values)).grpcPort == 0)
        values["CALLS_GRPC_PORT"] = "50051"
        #expect(try APIConfiguration(environment: EnvironmentVariables(values)).grpcPort == 50051)
    }

    @Test func readsTheArchiveSettings() throws {
        var values = required
        values["CALLS_ARCHIVE_MP3"] = "false"
        values["CALLS_KEEP_ORIGINAL"] = "YES"
        values["CALLS_ARCHIVE_CONCURRENCY"] = "3"
        values["CALLS_ARCHIVE_BITRATE_MODE"] = "VBR"
        values["CALLS_ARCHIVE_BITRATE_KBPS"] = "96"
        values["CALLS_ARCHIVE_VBR_QUALITY"] = "4"
        let archive = try WorkerConfiguration(environment: EnvironmentVariables(values), processorCount: 1).archive
        #expect(!archive.enabled && archive.keepOriginal && archive.concurrency == 3)
        #expect(archive.encoding == MP3Encoding(mode: .variable, bitrateKbps: 96, vbrQuality: 4))
    }

    @Test func readsTheCallbackSettings() throws {
        var values = required
        values["CALLS_CALLBACK_SIGNING_KEY"] = String(repeating: "k", count: 32)
        values["CALLS_CALLBACK_CONCURRENCY"] = "5"
        let worker = try WorkerConfiguration(environment: EnvironmentVariables(values), processorCount: 1)
        #expect(worker.callbacks == CallbackPolicy(signingKey: String(repeating: "k", count: 32)))
        #expect(worker.callbackConcurrency == 5)
        #expect(try APIConfiguration(environment: EnvironmentVariables(values)).callbacks == worker.callbacks)
        values["CALLS_CALLBACK_MAX_ATTEMPTS"] = "3"
        #expect(try WorkerConfiguration(environment: EnvironmentVariables(values), processorCount: 1).callbacks?.maxAttempts == 3)
        // Only the worker delivers callbacks, so only the worker reads their attempts.
        values["CALLS_CALLBACK_MAX_ATTEMPTS"] = "0"
        #expect(try APIConfiguration(environment: EnvironmentVariables(values)).callbacks?.maxAttempts == 8)
        let error = #expect(throws: ConfigurationError.self) {
            try WorkerConfiguration(environment: EnvironmentVariables(values), processorCount: 1)
        }
        #expect(error?.variable == "CALLS_CALLBACK_MAX_ATTEMPTS")
    }

    @Test func readsTheDownloadSettings() throws {
        var values = required
        values["CALLS_URL_SIGNING_KEY"] = String(repeating: "s", count: 32)
        values["CALLS_DOWNLOAD_URL_TTL_SECONDS"] = "60"
        values["CALLS_PUBLIC_URL"] = "https://calls.example.com/"
        values["CALLS_TRUST_FORWARDED_HEADERS"] = "true"
        let configuration = try APIConfiguration(environment: EnvironmentVariables(values))
        #expect(configuration.trustForwardedHeaders)
        #expect(configuration.urlSigningKey == String(repeating: "s", count: 32))
        #expect(configuration.downloadURLTTLSeconds == 60)
        #expect(configuration.publicURL == "https://calls.example.com")
    }

    @Test func readsTheWatcherLimits() throws {
        let defaults = try APIConfiguration(environment: EnvironmentVariables(required))
        #expect(defaults.maxWatchersPerCall == 100 && defaults.maxWatchers == 10_000)
        var values = required
        values["CALLS_MAX_WATCHERS_PER_CALL"] = "5"
        values["CALLS_MAX_WATCHERS"] = "50"
        let configured = try APIConfiguration(environment: EnvironmentVariables(values))
        #expect(configured.maxWatchersPerCall == 5 && configured.maxWatchers == 50)
        for (variable, value) in [("CALLS_MAX_WATCHERS_PER_CALL", "0"), ("CALLS_MAX_WATCHERS", "many")] {
            var wrong = required
            wrong[variable] = value
            #expect {
                _ = try APIConfiguration(environment: EnvironmentVariables(wrong))
            } throws: { error in
                (error as? ConfigurationError)?.variable == variable
            }
        }
    }

    /// Read by both processes: a mistake stops either.
    static let sharedMistakes: [(String, String?)] = [
        ("CALLS_DATABASE_URL", nil),
        ("CALLS_DATABASE_URL", "mysql://x@y/z"),
        ("CALLS_REDIS_URL", nil),
        ("CALLS_REDIS_URL", "redis://host:1/notanumber"),
        ("CALLS_LOG_LEVEL", "loud"),
        ("CALLS_LOG_FORMAT", "xml"),
        ("CALLS_QUEUE_NAME", "a b"),
        ("CALLS_STORAGE", "tape"),
        ("CALLS_CALLBACK_SIGNING_KEY", "too-short"),
        ("CALLS_PANEL_TIMEZONE", "Mars/Olympus"),
        ("CALLS_SERVICE_LEVEL_SECONDS", "0"),
        ("CALLS_PANEL_STALE_SECONDS", "soon"),
        ("CALLS_PANEL_WAITING_LIMIT_SECONDS", "59"),
        ("CALLS_PANEL_CALL_LIMIT_SECONDS", "-5"),
        ("CALLS_PANEL_EVENT_RETENTION_DAYS", "0"),
    ]

    /// Read by the API only.
    static let apiMistakes: [(String, String?)] = [
        ("CALLS_HTTP_PORT", "eighty"),
        ("CALLS_HTTP_PORT", "70000"),
        ("CALLS_GRPC_PORT", "ninety"),
        ("CALLS_GRPC_PORT", "65536"),
        ("CALLS_HTTP_IDLE_TIMEOUT_SECONDS", "0"),
        ("CALLS_MAX_UPLOAD_BYTES", "0"),
        ("CALLS_URL_SIGNING_KEY", "too-short"),
        ("CALLS_DOWNLOAD_URL_TTL_SECONDS", "0"),
        ("CALLS_DOWNLOAD_URL_TTL_SECONDS", "604801"),
        ("CALLS_PUBLIC_URL", "calls.example.com"),
        ("CALLS_TRUST_FORWARDED_HEADERS", "perhaps"),
        ("CALLS_API_STATEMENT_TIMEOUT_MS", "1"),
        ("CALLS_MAX_WATCHERS", "many"),
        ("CALLS_AUTH", "maybe"),
        ("CALLS_RATE_LIMIT_PER_SECOND", "fast"),
        ("CALLS_EVENTS_MAX_BODY_BYTES", "100"),
        ("CALLS_EVENTS_MAX_LINES", "0"),
        ("CALLS_EVENTS_MAX_BACKLOG", "lots"),
    ]

    /// Read by the worker only.
    static let workerMistakes: [(String, String?)] = [
        ("CALLS_WORKER_CONCURRENCY", "-1"),
        ("CALLS_WORKER_STATEMENT_TIMEOUT_MS", "1"),
        ("CALLS_HEARTBEAT_TTL_SECONDS", "0"),
        ("CALLS_JOB_LEASE_SECONDS", "1"),
        ("CALLS_WORKER_METRICS_PORT", "metrics"),
        ("CALLS_SHUTDOWN_GRACE", "-1"),
        ("CALLS_CALLBACK_CONCURRENCY", "0"),
        ("CALLS_CALLBACK_CONCURRENCY", "65"),
        ("CALLS_ARCHIVE_MP3", "maybe"),
        ("CALLS_KEEP_ORIGINAL", "2"),
        ("CALLS_ARCHIVE_CONCURRENCY", "0"),
        ("CALLS_ARCHIVE_BITRATE_MODE", "abr"),
        ("CALLS_ARCHIVE_BITRATE_KBPS", "4"),
        ("CALLS_ARCHIVE_BITRATE_KBPS", "400"),
        ("CALLS_ARCHIVE_VBR_QUALITY", "10"),
        ("CALLS_MIN_SILENCE_MS", "1"),
        ("CALLS_CHANNEL_SPEAKERS", "alone"),
        ("CALLS_WORKER_ROLES", "jobs,reports"),
        ("CALLS_WORKER_ROLES", " , "),
        ("CALLS_PANEL_BATCH_SIZE", "0"),
        ("CALLS_CDR_GRACE_SECONDS", "-1"),
        ("CALLS_CDR_GRACE_SECONDS", "two minutes"),
        ("CALLS_CDR_EXPORTS", "billing"),
        ("CALLS_CDR_EXPORTS", "billing=ftp://host/cdrs"),
        ("CALLS_CDR_BATCH", "0"),
        ("CALLS_CDR_EXPORT_TIMEOUT_SECONDS", "0"),
        ("CALLS_CDR_EXPORT_CONCURRENCY", "0"),
    ]

    @Test func readsTheCdrExportSettings() throws {
        var values = required
        let defaults = try WorkerConfiguration(environment: EnvironmentVariables(values), processorCount: 1).cdrExports
        #expect(defaults == CdrExportSettings() && !defaults.enabled)
        #expect(defaults.batchSize == 100 && defaults.timeoutSeconds == 10 && defaults.concurrency == 2)
        values["CALLS_CDR_EXPORTS"] = "billing=http://127.0.0.1:9000/cdrs; bi=https://bi.example/in"
        values["CALLS_CDR_BATCH"] = "25"
        values["CALLS_CDR_EXPORT_TIMEOUT_SECONDS"] = "3"
        let exports = try WorkerConfiguration(environment: EnvironmentVariables(values), processorCount: 1).cdrExports
        #expect(exports.consumers.map(\.name) == ["billing", "bi"] && exports.enabled)
        #expect(exports.consumer(named: "bi")?.url.absoluteString == "https://bi.example/in")
        #expect(exports.batchSize == 25 && exports.timeoutSeconds == 3)
        #expect(try WorkerRole.parse("exports") == [.exports])
    }

    @Test func readsTheActivitySettings() throws {
        var values = required
        let defaults = try WorkerConfiguration(environment: EnvironmentVariables(values), processorCount: 1).activity
        #expect(defaults == ActivitySettings())
        #expect(defaults.maxBatch == 10_000 && defaults.partitions == 8 && defaults.retentionMonths == 13)
        #expect(defaults.timeZone == TimeZone(identifier: "UTC")! && defaults.cacheSeconds == 2)
        values["CALLS_ACTIVITY_PARTITIONS"] = "16"
        values["CALLS_ACTIVITY_TIMEZONE"] = "Asia/Kolkata"
        values["CALLS_ACTIVITY_RETENTION_MONTHS"] = "25"
        values["CALLS_ACTIVITY_CACHE_SECONDS"] = "0"
        let worker = try WorkerConfiguration(environment: EnvironmentVariables(values), processorCount: 1).activity
        #expect(worker.partitions == 16 && worker.timeZone.identifier == "Asia/Kolkata" && worker.retentionMonths == 25)
        #expect(try APIConfiguration(environment: EnvironmentVariables(values)).activity == worker)
        values["CALLS_ACTIVITY_TIMEZONE"] = "Mars/Olympus"
        #expect(throws: ConfigurationError.self) { try ActivitySettings(environment: EnvironmentVariables(values)) }
        values["CALLS_ACTIVITY_TIMEZONE"] = nil
        values["CALLS_ACTIVITY_PARTITIONS"] = "0"
        #expect(throws: ConfigurationError.self) { try ActivitySettings(environment: EnvironmentVariables(values)) }
        values["CALLS_ACTIVITY_PARTITIONS"] = nil
        values["CALLS_ACTIVITY_MAX_BACKLOG"] = "5000"
        #expect(throws: ConfigurationError.self) { try ActivitySettings(environment: EnvironmentVariables(values)) }
        values["CALLS_ACTIVITY_MAX_BATCH"] = "5000"
        #expect(try ActivitySettings(environment: EnvironmentVariables(values)).maxBacklog == 5000)
    }

    @Test func readsTheRolesAndThePanelSettings() throws {
        var values = required
        #expect(
            try WorkerConfiguration(environment: EnvironmentVariables(values), processorCount: 1).roles == [
                .jobs, .panel, .sources, .cdrs, .exports, .activityIngest, .activityAggregate,
            ])
        values["CALLS_WORKER_ROLES"] = " Panel "
        values["CALLS_PANEL_TIMEZONE"] = "Europe/Berlin"
        values["CALLS_SERVICE_LEVEL_SECONDS"] = "30"
        values["CALLS_PANEL_CALL_LIMIT_SECONDS"] = "7200"
        values["CALLS_CDR_GRACE_SECONDS"] = "5"
        let worker = try WorkerConfiguration(environment: EnvironmentVariables(values), processorCount: 1)
        #expect(worker.cdrGraceSeconds == 5)
        #expect(worker.roles == [.panel] && worker.panelBatchSize == 5000)
        #expect(worker.panel.timeZone.identifier == "Europe/Berlin" && worker.panel.serviceLevelSeconds == 30)
        #expect(worker.panel.callLimitSeconds == 7200 && worker.panel.waitingLimitSeconds == 3600)
        #expect(try APIConfiguration(environment: EnvironmentVariables(values)).panel == worker.panel)
        #expect(try WorkerRole.parse("all") == Set(WorkerRole.allCases))
        #expect(try WorkerRole.parse("activity-ingest, activity-aggregate") == [.activityIngest, .activityAggregate])
        #expect(try WorkerRole.parse("jobs,panel,jobs") == [.jobs, .panel])
        #expect(try WorkerRole.parse("cdrs") == [.cdrs])
        let api = try APIConfiguration(environment: EnvironmentVariables(required))
        #expect(api.events == EventIngestSettings() && api.events.maxLines == 10_000 && api.events.maxBodyBytes == 4 << 20)
        #expect(api.panel == PanelSettings() && api.panel.staleSeconds == 60)
    }

    func environment(_ variable: String, _ value: String?) -> EnvironmentVariables {
        var values = required
        values[variable] = value
        return EnvironmentVariables(values)
    }

    @Test(arguments: sharedMistakes + apiMistakes)
    func theAPINamesTheVariableThatIsWrong(variable: String, value: String?) {
        let error = #expect(throws: ConfigurationError.self) { try APIConfiguration(environment: environment(variable, value)) }
        #expect(error?.variable == variable)
    }

    @Test(arguments: sharedMistakes + workerMistakes)
    func theWorkerNamesTheVariableThatIsWrong(variable: String, value: String?) {
        let error = #expect(throws: ConfigurationError.self) {
            try WorkerConfiguration(environment: environment(variable, value), processorCount: 2)
        }
        #expect(error?.variable == variable)
    }

    @Test(arguments: workerMistakes)
    func aWorkerSettingCannotStopTheAPI(variable: String, value: String?) throws {
        _ = try APIConfiguration(environment: environment(variable, value))
    }

    @Test(arguments: apiMistakes)
    func anAPISettingCannotStopTheWorker(variable: String, value: String?) throws {
        _ = try WorkerConfiguration(environment: environment(variable, value), processorCount: 2)
    }

    @Test func apiFlagsTakeThePlaceOfTheirVariables() throws {
        let flagged = DatabaseURL(host: "flagged", user: "calls", database: "calls")
        var values = required
        values["CALLS_DATABASE_URL"] = nil
        values["CALLS_HTTP_PORT"] = "eighty"
        values["CALLS_HTTP_HOST"] = "0.0.0.0"
        values["CALLS_MIGRATIONS_DIR"] = "/from/the/environment"
        values["CALLS_AUTH"] = "off"
        let configuration = try APIConfiguration(
            environment: EnvironmentVariables(values),
            flags: .init(database: flagged, migrationsDirectory: "/from/a/flag", httpHost: "127.0.0.1", httpPort: 9000))
        #expect(configuration.database.url == flagged && configuration.database.statementTimeoutMilliseconds == 5000)
        #expect(configuration.httpPort == 9000 && configuration.httpHost == "127.0.0.1")
        #expect(configuration.migrationsDirectory == "/from/a/flag")
        #expect(!configuration.access.authentication)
    }

    @Test func theAPIChecksItsFlags() {
        let offLoopback = #expect(throws: ConfigurationError.self) {
            try APIConfiguration(environment: environment("CALLS_AUTH", "off"), flags: .init(httpHost: "0.0.0.0"))
        }
        #expect(offLoopback?.variable == "CALLS_AUTH")
        let port = #expect(throws: ConfigurationError.self) {
            try APIConfiguration(environment: EnvironmentVariables(required), flags: .init(httpPort: 70000))
        }
        #expect(port?.variable == "--port")
    }

    @Test func theWorkerConcurrencyFlagTakesThePlaceOfItsVariable() throws {
        let flagged = try WorkerConfiguration(
            environment: environment("CALLS_WORKER_CONCURRENCY", "many"), processorCount: 2, flags: .init(concurrency: 4))
        #expect(flagged.concurrency == 4)
        let error = #expect(throws: ConfigurationError.self) {
            try WorkerConfiguration(environment: EnvironmentVariables(required), processorCount: 2, flags: .init(concurrency: 0))
        }
        #expect(error?.variable == "--concurrency")
    }

    @Test func parsesDotEnvFiles() {
        let values = DotEnv.parse(
            """
            # comment
            CALLS_HTTP_PORT=9000
            export CALLS_REDIS_URL="redis://127.0.0.1:6379/0"
            CALLS_RECORDINGS_DIR='/srv/recordings'

            not a line
            """)
        #expect(
            values == [
                "CALLS_HTTP_PORT": "9000",
                "CALLS_REDIS_URL": "redis://127.0.0.1:6379/0",
                "CALLS_RECORDINGS_DIR": "/srv/recordings",
            ])
    }
}

@Suite struct AccessSettingsTests {
    let required = [
        "CALLS_DATABASE_URL": "postgres://calls:secret@db.internal:6543/calls",
        "CALLS_REDIS_URL": "redis://cache:6379/0",
    ]

    func configuration(_ extra: [String: String]) throws(ConfigurationError) -> APIConfiguration {
        try APIConfiguration(environment: EnvironmentVariables(required.merging(extra) { $1 }))
    }

    @Test func keysAreRequiredAndLimitedByDefault() throws {
        let access = try configuration([:]).access
        #expect(access == AccessSettings(authentication: true, requestsPerSecond: 100, burst: 200))
    }

    @Test func readsTheRateLimit() throws {
        #expect(try configuration(["CALLS_RATE_LIMIT_PER_SECOND": "20"]).access.burst == 40)
        let access = try configuration(["CALLS_RATE_LIMIT_PER_SECOND": "20", "CALLS_RATE_LIMIT_BURST": "5"]).access
        #expect(access.requestsPerSecond == 20 && access.burst == 5)
        #expect(try configuration(["CALLS_RATE_LIMIT_PER_SECOND": "0"]).access.requestsPerSecond == nil)
    }

    @Test func authenticationCanBeSwitchedOffOnLoopbackOnly() throws {
        #expect(try configuration(["CALLS_AUTH": "OFF"]).access.authentication == false)
        #expect(try configuration(["CALLS_AUTH": "off", "CALLS_HTTP_HOST": "::1"]).access.authentication == false)
        let error = #expect(throws: ConfigurationError.self) { try configuration(["CALLS_AUTH": "off", "CALLS_HTTP_HOST": "0.0.0.0"]) }
        #expect(error?.variable == "CALLS_AUTH")
        #expect(try configuration(["CALLS_AUTH": "on", "CALLS_HTTP_HOST": "0.0.0.0"]).access.authentication)
    }

    @Test(arguments: [
        ["CALLS_AUTH": "maybe"],
        ["CALLS_RATE_LIMIT_PER_SECOND": "-1"],
        ["CALLS_RATE_LIMIT_PER_SECOND": "fast"],
        ["CALLS_RATE_LIMIT_BURST": "0"],
    ])
    func refusesNonsense(_ extra: [String: String]) {
        let error = #expect(throws: ConfigurationError.self) { try configuration(extra) }
        #expect(error?.variable == extra.keys.first)
    }
}
