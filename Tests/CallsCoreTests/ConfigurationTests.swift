import CallsCore
import Testing

@Suite struct ConfigurationTests {
    let required = [
        "CALLS_DATABASE_URL": "postgres://calls:secret@db.internal:6543/calls",
        "CALLS_REDIS_URL": "redis://:pw@cache:6380/2",
    ]

    @Test func readsDefaultsAndRequiredURLs() throws {
        let configuration = try CallsConfiguration(environment: EnvironmentVariables(required), processorCount: 3)
        #expect(configuration.database == DatabaseURL(host: "db.internal", port: 6543, user: "calls", password: "secret", database: "calls"))
        #expect(configuration.redis == RedisURL(host: "cache", port: 6380, database: 2, password: "pw"))
        #expect(configuration.httpPort == 8000)
        #expect(configuration.maxUploadBytes == 2 * 1024 * 1024 * 1024)
        #expect(configuration.recordingsDirectory == "recordings")
        #expect(configuration.workerConcurrency == 3)
        #expect(configuration.heartbeatTTLSeconds == 10)
        #expect(configuration.storage == .local)
        #expect(configuration.urlSigningKey == nil && configuration.publicURL == nil && !configuration.trustForwardedHeaders)
        #expect(configuration.downloadURLTTLSeconds == 900)
        #expect(configuration.archive == ArchiveSettings())
        #expect(configuration.logFormat == .json)
        #expect(configuration.archive.enabled && !configuration.archive.keepOriginal)
        #expect(configuration.archive.encoding == MP3Encoding(mode: .constant, bitrateKbps: 48, vbrQuality: 6))
    }

    @Test func readsTheArchiveSettings() throws {
        var values = required
        values["CALLS_ARCHIVE_MP3"] = "false"
        values["CALLS_KEEP_ORIGINAL"] = "YES"
        values["CALLS_ARCHIVE_CONCURRENCY"] = "3"
        values["CALLS_ARCHIVE_BITRATE_MODE"] = "VBR"
        values["CALLS_ARCHIVE_BITRATE_KBPS"] = "96"
        values["CALLS_ARCHIVE_VBR_QUALITY"] = "4"
        let archive = try CallsConfiguration(environment: EnvironmentVariables(values), processorCount: 1).archive
        #expect(!archive.enabled && archive.keepOriginal && archive.concurrency == 3)
        #expect(archive.encoding == MP3Encoding(mode: .variable, bitrateKbps: 96, vbrQuality: 4))
    }

    @Test func readsTheDownloadSettings() throws {
        var values = required
        values["CALLS_URL_SIGNING_KEY"] = String(repeating: "s", count: 32)
        values["CALLS_DOWNLOAD_URL_TTL_SECONDS"] = "60"
        values["CALLS_PUBLIC_URL"] = "https://calls.example.com/"
        values["CALLS_TRUST_FORWARDED_HEADERS"] = "true"
        let configuration = try CallsConfiguration(environment: EnvironmentVariables(values), processorCount: 1)
        #expect(configuration.trustForwardedHeaders)
        #expect(configuration.urlSigningKey == String(repeating: "s", count: 32))
        #expect(configuration.downloadURLTTLSeconds == 60)
        #expect(configuration.publicURL == "https://calls.example.com")
    }

    @Test func readsTheWatcherLimits() throws {
        let defaults = try CallsConfiguration(environment: EnvironmentVariables(required), processorCount: 1)
        #expect(defaults.maxWatchersPerCall == 100 && defaults.maxWatchers == 10_000)
        var values = required
        values["CALLS_MAX_WATCHERS_PER_CALL"] = "5"
        values["CALLS_MAX_WATCHERS"] = "50"
        let configured = try CallsConfiguration(environment: EnvironmentVariables(values), processorCount: 1)
        #expect(configured.maxWatchersPerCall == 5 && configured.maxWatchers == 50)
        for (variable, value) in [("CALLS_MAX_WATCHERS_PER_CALL", "0"), ("CALLS_MAX_WATCHERS", "many")] {
            var wrong = required
            wrong[variable] = value
            #expect {
                _ = try CallsConfiguration(environment: EnvironmentVariables(wrong), processorCount: 1)
            } throws: { error in
                (error as? ConfigurationError)?.variable == variable
            }
        }
    }

    @Test(arguments: [
        ("CALLS_DATABASE_URL", nil as String?),
        ("CALLS_DATABASE_URL", "mysql://x@y/z"),
        ("CALLS_REDIS_URL", "redis://host:1/notanumber"),
        ("CALLS_HTTP_PORT", "eighty"),
        ("CALLS_HTTP_PORT", "70000"),
        ("CALLS_MAX_UPLOAD_BYTES", "0"),
        ("CALLS_WORKER_CONCURRENCY", "-1"),
        ("CALLS_LOG_LEVEL", "loud"),
        ("CALLS_QUEUE_NAME", "a b"),
        ("CALLS_HEARTBEAT_TTL_SECONDS", "0"),
        ("CALLS_URL_SIGNING_KEY", "too-short"),
        ("CALLS_DOWNLOAD_URL_TTL_SECONDS", "0"),
        ("CALLS_DOWNLOAD_URL_TTL_SECONDS", "604801"),
        ("CALLS_PUBLIC_URL", "calls.example.com"),
        ("CALLS_TRUST_FORWARDED_HEADERS", "perhaps"),
        ("CALLS_STORAGE", "tape"),
        ("CALLS_ARCHIVE_MP3", "maybe"),
        ("CALLS_LOG_FORMAT", "xml"),
        ("CALLS_KEEP_ORIGINAL", "2"),
        ("CALLS_ARCHIVE_CONCURRENCY", "0"),
        ("CALLS_ARCHIVE_BITRATE_MODE", "abr"),
        ("CALLS_ARCHIVE_BITRATE_KBPS", "4"),
        ("CALLS_ARCHIVE_BITRATE_KBPS", "400"),
        ("CALLS_ARCHIVE_VBR_QUALITY", "10"),
    ])
    func namesTheVariableThatIsWrong(variable: String, value: String?) {
        var values = required
        values[variable] = value
        #expect {
            _ = try CallsConfiguration(environment: EnvironmentVariables(values), processorCount: 2)
        } throws: { error in
            (error as? ConfigurationError)?.variable == variable
        }
    }

    @Test func parsesDotEnvFiles() {
        let values = DotEnv.parse("""
            # comment
            CALLS_HTTP_PORT=9000
            export CALLS_REDIS_URL="redis://127.0.0.1:6379/0"
            CALLS_RECORDINGS_DIR='/srv/recordings'

            not a line
            """)
        #expect(values == [
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

    func configuration(_ extra: [String: String]) throws(ConfigurationError) -> CallsConfiguration {
        try CallsConfiguration(environment: EnvironmentVariables(required.merging(extra) { $1 }), processorCount: 1)
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
