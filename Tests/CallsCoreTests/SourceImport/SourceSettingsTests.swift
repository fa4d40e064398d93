import CallsCore
import Testing

@Suite struct SourceSettingsTests {
    @Test func defaultsWithoutVariables() throws {
        let settings = try SourceSettings(environment: EnvironmentVariables([:]))
        #expect(settings.endpoints.isEmpty)
        #expect(settings.pageSize == 500)
        #expect(settings.pollSeconds == 5)
        #expect(settings.timeoutSeconds == 10)
        #expect(settings.maxBackoffSeconds == 60)
    }

    @Test func readsEveryVariable() throws {
        let settings = try SourceSettings(
            environment: EnvironmentVariables([
                "CALLS_SOURCES": "crm=http://127.0.0.1:9000/api;pbx2=http://10.1.2.3", "CALLS_SOURCE_PAGE_SIZE": "7",
                "CALLS_SOURCE_POLL_SECONDS": "2", "CALLS_SOURCE_TIMEOUT_SECONDS": "3", "CALLS_SOURCE_MAX_BACKOFF_SECONDS": "30",
            ]))
        #expect(settings.endpoints.map(\.name) == ["crm", "pbx2"])
        #expect([settings.pageSize, settings.pollSeconds, settings.timeoutSeconds, settings.maxBackoffSeconds] == [7, 2, 3, 30])
    }

    @Test(arguments: [
        ("CALLS_SOURCES", "crm"), ("CALLS_SOURCE_PAGE_SIZE", "0"), ("CALLS_SOURCE_PAGE_SIZE", "10001"),
        ("CALLS_SOURCE_POLL_SECONDS", "0"), ("CALLS_SOURCE_TIMEOUT_SECONDS", "x"), ("CALLS_SOURCE_MAX_BACKOFF_SECONDS", "0"),
    ])
    func refusesBadValues(_ variable: String, _ value: String) {
        #expect(throws: ConfigurationError.self) { try SourceSettings(environment: EnvironmentVariables([variable: value])) }
    }

    @Test func theWorkerReadsThem() throws {
        let worker = try WorkerConfiguration(
            environment: EnvironmentVariables([
                "CALLS_DATABASE_URL": "postgres://u:p@127.0.0.1:5432/calls", "CALLS_REDIS_URL": "redis://127.0.0.1:6379/0",
                "CALLS_SOURCES": "crm=http://127.0.0.1:9000",
                "CALLS_SOURCE_PAGE_SIZE": "9",
            ]), processorCount: 1)
        #expect(worker.sources.endpoints.map(\.name) == ["crm"])
        #expect(worker.sources.pageSize == 9)
        #expect(worker.roles.contains(.sources))
        #expect(try WorkerRole.parse("sources") == [.sources])
    }
}
