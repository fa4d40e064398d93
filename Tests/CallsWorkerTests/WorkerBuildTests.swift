import CallsCore
@testable import CallsStore
import Synchronization
import JobQueue
@testable import CallsWorker
import Logging
import Testing
import TestSupport

/// The worker's wiring, built but never run: no socket is opened, so the unreachable addresses do not matter.
@Suite struct WorkerBuildTests {
    static func configuration(recordings: TemporaryDirectory) -> WorkerConfiguration {
        var configuration = WorkerConfiguration(
            database: DatabaseURL(host: "127.0.0.1", port: 1, user: "calls", database: "calls"),
            redis: RedisURL(host: "127.0.0.1", port: 1), concurrency: 3)
        configuration.recordings.directory = recordings.path
        return configuration
    }

    @Test func theSlotsComeFromTheConfiguration() throws {
        let recordings = try TemporaryDirectory()
        defer { recordings.remove() }
        var configuration = Self.configuration(recordings: recordings)
        configuration.archive.concurrency = 2
        configuration.callbackConcurrency = 5
        let withoutCallbacks = WorkerSlots(configuration)
        #expect([withoutCallbacks.analysis, withoutCallbacks.archive, withoutCallbacks.callback] == [3, 2, 0])
        #expect(withoutCallbacks.decodeThreads == 5 && withoutCallbacks.resolverThreads == 0)
        configuration.callbacks = CallbackPolicy(signingKey: String(repeating: "k", count: 32))
        configuration.archive.enabled = false
        let withCallbacks = WorkerSlots(configuration)
        #expect([withCallbacks.analysis, withCallbacks.archive, withCallbacks.callback] == [3, 0, 5])
        #expect(withCallbacks.decodeThreads == 3 && withCallbacks.resolverThreads == 5)
    }

    /// One decode thread per analysis and archive slot; the callbacks' name lookups on a pool of their own,
    /// one thread per callback slot.
    @Test func thePoolsAreSizedByTheSlots() async throws {
        let recordings = try TemporaryDirectory()
        defer { recordings.remove() }
        var configuration = Self.configuration(recordings: recordings)
        configuration.callbacks = CallbackPolicy(signingKey: String(repeating: "k", count: 32))
        configuration.callbackConcurrency = 4
        let process = try buildWorker(configuration: configuration, logger: Logger(label: "test"))
        #expect(process.ioPool.numberOfThreads == 3 + 1)
        let resolverPool = try #require(process.resources.resolverPool)
        #expect(resolverPool.numberOfThreads == 4 && resolverPool !== process.ioPool)
        await process.releaseResources()

        configuration.callbacks = nil
        let withoutCallbacks = try buildWorker(configuration: configuration, logger: Logger(label: "test"))
        #expect(withoutCallbacks.resources.resolverPool == nil)
        await withoutCallbacks.releaseResources()
    }

    /// Started in this order and stopped in reverse: the job loop drains before the heartbeat deregisters.
    @Test(arguments: [nil, 0] as [Int?])
    func theServicesAreListedInStartOrder(metricsPort: Int?) async throws {
        let recordings = try TemporaryDirectory()
        defer { recordings.remove() }
        var configuration = Self.configuration(recordings: recordings)
        configuration.metricsPort = metricsPort
        let process = try buildWorker(configuration: configuration, logger: Logger(label: "test"))
        let names = process.services.map { String(String(describing: type(of: $0)).prefix { $0 != "<" }) }
        let listener = metricsPort == nil ? [] : ["Application"]
        #expect(
            names == ["PostgresClient"] + listener
                + [
                    "HeartbeatService", "MaintenanceService", "PanelRole", "CdrBuilderRole", "ActivityRole",
                    "ActivityPartitionMaintenance", "ActivityRole", "WorkerService",
                ])
        await process.releaseResources()
    }

    /// A process dedicated to one role runs only that role's services.
    @Test(arguments: [
        ([WorkerRole.jobs], ["HeartbeatService", "MaintenanceService", "WorkerService"]), ([.panel], ["PanelRole"]),
        ([.cdrs], ["CdrBuilderRole"]), ([.activityIngest], ["ActivityRole", "ActivityPartitionMaintenance"]),
        ([.activityAggregate], ["ActivityRole"]),
    ])
    func aRoleBringsItsOwnServices(roles: [WorkerRole], expected: [String]) async throws {
        let recordings = try TemporaryDirectory()
        defer { recordings.remove() }
        var configuration = Self.configuration(recordings: recordings)
        configuration.roles = Set(roles)
        let process = try buildWorker(configuration: configuration, logger: Logger(label: "test"))
        let names = process.services.map { String(String(describing: type(of: $0)).prefix { $0 != "<" }) }
        #expect(names == ["PostgresClient"] + expected)
        await process.releaseResources()
    }

    /// The `exports` role schedules only while a consumer is configured; the `jobs` role then runs export slots.
    @Test func theExportsRoleRunsItsSchedulerOnlyWithConsumers() async throws {
        let recordings = try TemporaryDirectory()
        defer { recordings.remove() }
        var configuration = Self.configuration(recordings: recordings)
        configuration.roles = [.exports]
        let names = { (process: WorkerProcess) in process.services.map { String(String(describing: type(of: $0)).prefix { $0 != "<" }) } }
        let idle = try buildWorker(configuration: configuration, logger: Logger(label: "test"))
        #expect(names(idle) == ["PostgresClient"])
        await idle.releaseResources()
        configuration.cdrExports.consumers = try NamedEndpoint.parseList("billing=http://127.0.0.1:9/cdrs", variable: "CALLS_CDR_EXPORTS")
        let exporting = try buildWorker(configuration: configuration, logger: Logger(label: "test"))
        #expect(names(exporting) == ["PostgresClient", "CdrExportScheduler"])
        await exporting.releaseResources()
        configuration.roles = Set(WorkerRole.allCases)
        let all = try buildWorker(configuration: configuration, logger: Logger(label: "test"))
        #expect(
            names(all) == [
                "PostgresClient", "HeartbeatService", "MaintenanceService", "PanelRole", "CdrBuilderRole", "CdrExportScheduler",
                "ActivityRole", "ActivityPartitionMaintenance", "ActivityRole", "WorkerService",
            ])
        let loop = try #require(all.services.last as? WorkerService)
        #expect(loop.exportConcurrency == 2)
        await all.releaseResources()
    }

    /// One fetcher per configured source and collection, and none without a source or without the role.
    @Test func theSourcesRoleRunsAFetcherPerSourceAndCollection() async throws {
        let recordings = try TemporaryDirectory()
        defer { recordings.remove() }
        var configuration = Self.configuration(recordings: recordings)
        configuration.sources.endpoints = try NamedEndpoint.parseList(
            "crm=http://127.0.0.1:1;pbx=http://127.0.0.1:2/v1", variable: "CALLS_SOURCES")
        configuration.roles = [.sources]
        let process = try buildWorker(configuration: configuration, logger: Logger(label: "test"))
        let role = try #require(process.services.last as? SourcesRole)
        #expect(process.services.count == 2)
        #expect(
            role.fetchers == [
                "crm/calls", "crm/connections", "crm/call_events", "crm/operators", "pbx/calls", "pbx/connections", "pbx/call_events",
                "pbx/operators",
            ])
        await process.releaseResources()
        configuration.roles = [.jobs, .panel]
        let without = try buildWorker(configuration: configuration, logger: Logger(label: "test"))
        #expect(!without.services.contains { $0 is SourcesRole })
        await without.releaseResources()
    }
}

/// What the activity roles consume and report.
@Suite struct ActivityWiringTests {
    @Test func eachActivityRoleConsumesEveryPartitionAndMetricsReportThemAll() async throws {
        let recordings = try TemporaryDirectory()
        defer { recordings.remove() }
        var configuration = WorkerBuildTests.configuration(recordings: recordings)
        configuration.activity.partitions = 3
        configuration.queue.name = "q"
        configuration.roles = [.activityIngest, .activityAggregate]
        let process = try buildWorker(configuration: configuration, logger: Logger(label: "test"))
        let roles = process.services.compactMap { $0 as? ActivityRole }
        #expect(roles.map(\.group) == [.ingest, .aggregate])
        for role in roles {
            #expect(role.consumers.map(\.stream.key) == ["{q:activity:0}:events", "{q:activity:1}:events", "{q:activity:2}:events"])
            #expect(role.consumers.map(\.partition) == [0, 1, 2])
        }
        await process.releaseResources()
        let client = RedisClient(url: configuration.queue.redis)
        #expect(
            monitoredStreams(configuration: configuration, client: client).map(\.key) == [
                "{q:telephony}:events", "{q:activity:0}:events", "{q:activity:1}:events", "{q:activity:2}:events",
            ])
        await client.shutdown()
    }
}

/// A worker may start before the API applied the migrations: the aggregator's check waits for them.
@Suite struct ActivityRolePreparationTests {
    final class Attempts: Sendable {
        let count = Mutex(0)
    }

    struct NotMigratedYet: Error {}

    @Test func theRoleRetriesItsPreparationUntilItPassesAndStopsOnAWrongZone() async throws {
        let attempts = Attempts()
        var role = ActivityRole(group: .aggregate, consumers: [], logger: Logger(label: "test"))
        role.prepare = {
            let attempt = attempts.count.withLock { count in
                count += 1
                return count
            }
            if attempt < 3 { throw NotMigratedYet() }
        }
        try await role.run()
        #expect(attempts.count.withLock { $0 } == 3)
        role.prepare = { throw ActivityTimeZoneMismatch(recorded: "UTC", configured: "Europe/Berlin") }
        await #expect(throws: ActivityTimeZoneMismatch.self) { try await role.run() }
    }
}
