import Activity
import CallsCore
import CallsStore
@testable import CallsWorker
import EventBus
import Foundation
import JobQueue
import Testing
import TestSupport

extension IntegrationSuite {
    /// The activity consumer groups in a real `calls-worker` when things die or repeat: the worker SIGKILLed
    /// mid-run, Redis restarted from its append-only file, PostgreSQL stopped for ten seconds, copies sent in
    /// another order. Each time every event is stored once, the aggregates equal what was sent counted once,
    /// and nothing stays pending.
    @Suite struct ActivityResilienceTests {
        /// Both groups in one process. Small batches, so a crash lands with some batches committed and some
        /// not; a one-second heartbeat, so another worker claims what a dead one held after a second.
        static func settings(_ fixture: ActivityFixture) -> [String: String] {
            [
                "CALLS_WORKER_ROLES": "activity-ingest,activity-aggregate",
                "CALLS_ACTIVITY_PARTITIONS": String(fixture.keys.partitions),
                "CALLS_ACTIVITY_BATCH_SIZE": "100",
                "CALLS_ACTIVITY_TIMEZONE": fixture.timeZone.identifier,
                "CALLS_HEARTBEAT_TTL_SECONDS": "1",
            ]
        }

        @Test func aWorkerKilledMidBatchLeavesTheRestToAnotherAndNothingIsCountedTwice() async throws {
            let events = ActivityFixture.events(count: 20_000, users: 200, seed: 31)
            try await TestServices.withMigratedDatabase { url in
                try await Self.withWorkerFixture(database: url) { fixture, stack in
                    try await fixture.publish(events)
                    let victim = try SpawnedWorker(stack: stack, logDirectory: stack.recordings.path, settings: Self.settings(fixture))
                    _ = try await Self.firstCommits(fixture)
                    let unacknowledged = try await Self.freezeHoldingCommittedBatches(victim, fixture)
                    victim.signal(SIGKILL)
                    _ = await victim.process.waitForExit()
                    #expect(unacknowledged > 0, "killed between a commit and its acknowledgement")
                    let committed = try await Self.committed(fixture)
                    #expect(committed.ingested < events.count || committed.aggregated < events.count, "killed before it applied everything")
                    // Let what it held become claimable (idle for the heartbeat TTL), so the survivor takes it over as it
                    // starts rather than at its next periodic claim.
                    try await expectEventually("the dead worker's entries idle for a second", within: 10) {
                        try await Self.everyPendingEntryIsIdle(forMilliseconds: 1000, fixture)
                    }
                    let survivor = try SpawnedWorker(stack: stack, logDirectory: stack.recordings.path, settings: Self.settings(fixture))
                    try await expectEventually("everything acknowledged by the survivor; its log:\n\(survivor.log)", within: 60) {
                        try await Self.acknowledgedEverything(fixture)
                    }
                    await survivor.process.stop()
                    try await Self.expectCountedOnce(events, fixture)
                }
            }
        }

        @Test func redisRestartedFromItsAppendOnlyFileMidBatchLosesNothingAndCountsNothingTwice() async throws {
            let events = ActivityFixture.events(count: 20_000, users: 200, seed: 32)
            try await RedisServerProcess.withPrivateServer { redis in
                try await TestServices.withMigratedDatabase { url in
                    let redisURL = RedisURL(host: "127.0.0.1", port: redis.port)
                    try await Self.withWorkerFixture(database: url, redis: redisURL) { fixture, stack in
                        try await fixture.publish(events)
                        let worker = try SpawnedWorker(stack: stack, logDirectory: stack.recordings.path, settings: Self.settings(fixture))
                        _ = try await Self.firstCommits(fixture)
                        // Redis crashes while the worker holds committed batches it has yet to acknowledge. What Redis had
                        // acknowledged (entries, deliveries, acknowledgements) is in its append-only file, fsynced before
                        // each reply, so those batches come back pending.
                        let unacknowledged = try await Self.freezeHoldingCommittedBatches(worker, fixture)
                        #expect(unacknowledged > 0)
                        await redis.kill()
                        worker.signal(SIGCONT)
                        try await expectEventually("the worker notices that Redis is gone; its log:\n\(worker.log)", within: 30) {
                            worker.log.contains("activity batch not applied, retrying")
                        }
                        let committed = try await Self.committed(fixture)
                        #expect(committed.ingested < events.count || committed.aggregated < events.count, "Redis died mid-run")
                        try await redis.start()
                        try await expectEventually("everything acknowledged after the restart; log:\n\(worker.log)", within: 60) {
                            // The fixture's own connection broke too: its first command after the restart fails.
                            (try? await Self.acknowledgedEverything(fixture)) ?? false
                        }
                        try await Self.expectCountedOnce(events, fixture)

                        // A provider's second delivery after the restart: acknowledged, and counted no more.
                        try await fixture.publish(events.reversed())
                        try await expectEventually("the copies acknowledged; log:\n\(worker.log)", within: 60) {
                            try await Self.acknowledgedEverything(fixture)
                        }
                        await worker.process.stop()
                        try await Self.expectCountedOnce(events, fixture)
                    }
                }
            }
        }

        @Test func aTenSecondDatabaseOutageMidRunLosesNothingAndCountsNothingTwice() async throws {
            let events = ActivityFixture.events(count: 20_000, users: 200, seed: 33)
            try await PostgresServerProcess.withPrivateServer { server in
                _ = try await TestServices.withPostgres(server.url) { client in
                    try await Migrator(client: client, directory: "migrations", logger: TestServices.logger).migrate()
                }
                try await Self.withWorkerFixture(database: server.url) { fixture, stack in
                    try await fixture.publish(events)
                    let worker = try SpawnedWorker(stack: stack, logDirectory: stack.recordings.path, settings: Self.settings(fixture))
                    _ = try await Self.firstCommits(fixture)
                    await server.stop()
                    let stopped = ContinuousClock.now
                    try await expectEventually("the worker notices that PostgreSQL is gone; its log:\n\(worker.log)", within: 10) {
                        worker.log.contains("activity batch not applied, retrying")
                    }
                    try await Task.sleep(until: stopped + .seconds(10))
                    #expect(try await !Self.acknowledgedEverything(fixture), "the rest waited on the streams for the database")
                    try await server.start()
                    try await expectEventually("everything acknowledged after the outage; log:\n\(worker.log)", within: 60) {
                        try await Self.acknowledgedEverything(fixture)
                    }
                    await worker.process.stop()
                    try await Self.expectCountedOnce(events, fixture)
                }
            }
        }

        /// The same events sent twice, the second time in reverse (so across users in another order, and the
        /// last of the first copy next to its second copy in one batch); and other events from another source
        /// with the same event ids, which are not copies.
        @Test func copiesInAnotherOrderThroughTheWorkerAreCountedOnce() async throws {
            let events = ActivityFixture.events(count: 3000, users: 40, seed: 34)
            let otherSource = ActivityFixture.events(count: 500, users: 40, source: "provider-2", seed: 34)
            try await TestServices.withMigratedDatabase { url in
                try await Self.withWorkerFixture(database: url) { fixture, stack in
                    try await fixture.publish(events)
                    try await fixture.publish(events.reversed() + otherSource)
                    let worker = try SpawnedWorker(stack: stack, logDirectory: stack.recordings.path, settings: Self.settings(fixture))
                    try await expectEventually("everything acknowledged; log:\n\(worker.log)", within: 60) {
                        try await Self.acknowledgedEverything(fixture)
                    }
                    try await Self.expectCountedOnce(events + otherSource, fixture)
                    // Nothing went wrong here, so no batch needed a second try (the consumers racing to make the
                    // month's partition at start once made all but one fail theirs).
                    #expect(!worker.log.contains("not applied, retrying"), "\(worker.log)")
                    #expect(!worker.log.contains("maintenance failed"), "\(worker.log)")
                    // Every copy reached the worker and was recognised as one, by each group.
                    let metrics = try await worker.metrics()
                    for group in ActivityGroup.allCases {
                        let applied =
                            #"calls_activity_events_total{group="\#(group.name)",outcome="applied"} \#(events.count + otherSource.count)"#
                        let duplicates = #"calls_activity_events_total{group="\#(group.name)",outcome="duplicate"} \#(events.count)"#
                        #expect(metrics.contains(applied), "\(metrics)")
                        #expect(metrics.contains(duplicates), "\(metrics)")
                    }
                    await worker.process.stop()
                }
            }
        }

        // MARK: - Helpers

        /// A fixture on the streams a worker of a new stack reads (its queue name is their namespace).
        static func withWorkerFixture(
            database: DatabaseURL, redis: RedisURL? = nil, _ body: @Sendable (ActivityFixture, Stack) async throws -> Void
        ) async throws {
            let stack = try Stack.make(database: database, redis: redis)
            defer { stack.recordings.remove() }
            try await ActivityFixture.with(
                database: database, redis: stack.api.queue.redis, namespace: stack.api.queue.name, partitions: 4
            ) { fixture in
                try await body(fixture, stack)
            }
        }

        /// Events each group has committed: their keys are written in the same statement as their effects.
        static func committed(_ fixture: ActivityFixture) async throws -> (ingested: Int, aggregated: Int) {
            (
                try await fixture.scalar("SELECT count(*)::int8 FROM activity_ingested_keys"),
                try await fixture.scalar("SELECT count(*)::int8 FROM activity_aggregated_keys")
            )
        }

        /// Waits, polling closely, until both groups have committed a first batch.
        static func firstCommits(_ fixture: ActivityFixture) async throws -> (ingested: Int, aggregated: Int) {
            try await firstValue(of: "a first committed batch of each group", within: 60, every: .milliseconds(5)) {
                let committed = try await Self.committed(fixture)
                return committed.ingested > 0 && committed.aggregated > 0 ? committed : nil
            }
        }

        /// Entries each group has acknowledged over every partition: those neither pending nor undelivered.
        static func acknowledged(_ fixture: ActivityFixture) async throws -> (ingested: Int, aggregated: Int) {
            var acknowledged: [String: Int] = [:]
            for partition in 0..<fixture.keys.partitions {
                let stream = fixture.stream(partition)
                let length = try await stream.length()
                for state in try await stream.groups() {
                    guard let lag = state.lag else { throw SetupError("Redis cannot tell the lag of \(stream.key)") }
                    acknowledged[state.name, default: 0] += length - lag - state.pending
                }
            }
            return (acknowledged[ActivityGroup.ingest.name] ?? 0, acknowledged[ActivityGroup.aggregate.name] ?? 0)
        }

        /// Stops `worker` (SIGSTOP) when it has committed batches it has not acknowledged, and returns how many
        /// entries those hold. That is most of the time: a COMMIT sent before the stop still commits, while
        /// its acknowledgement waits for the process (a transaction stopped before its COMMIT stays open, not
        /// counted, and is rolled back when the process dies; a statement waiting on a lock such a transaction
        /// holds, say one making a month's partition, waits with it and is not waited for). Otherwise the
        /// worker is let go on and stopped again.
        static func freezeHoldingCommittedBatches(_ worker: SpawnedWorker, _ fixture: ActivityFixture) async throws -> Int {
            for _ in 0..<50 {
                worker.signal(SIGSTOP)
                let settled = try await waitUntil(within: 10, every: .milliseconds(10)) {
                    try await fixture.scalar(
                        """
                        SELECT count(*)::int8 FROM pg_stat_activity
                        WHERE datname = current_database() AND backend_type = 'client backend' AND state = 'active'
                          AND wait_event_type IS DISTINCT FROM 'Lock'
                          AND pid <> pg_backend_pid()
                        """) == 0
                }
                guard settled else { throw SetupError("the stopped worker's statements did not finish") }
                let committed = try await committed(fixture)
                let acknowledged = try await acknowledged(fixture)
                let unacknowledged = committed.ingested - acknowledged.ingested + committed.aggregated - acknowledged.aggregated
                if unacknowledged > 0 { return unacknowledged }
                worker.signal(SIGCONT)
                try await Task.sleep(for: .milliseconds(30))
            }
            throw SetupError("the worker never held a committed, unacknowledged batch when stopped; its log:\n\(worker.log)")
        }

        /// Both groups of every partition have acknowledged every entry of its stream.
        static func acknowledgedEverything(_ fixture: ActivityFixture) async throws -> Bool {
            for partition in 0..<fixture.keys.partitions {
                for group in ActivityGroup.allCases
                where try await fixture.stream(partition).oldestUnacknowledgedID(group: group.name) != nil {
                    return false
                }
            }
            return true
        }

        static func pendingCount(_ fixture: ActivityFixture) async throws -> Int {
            var pending = 0
            for partition in 0..<fixture.keys.partitions {
                for group in ActivityGroup.allCases { pending += try await fixture.stream(partition).pendingCount(group: group.name) }
            }
            return pending
        }

        /// Every pending entry of every group has been idle at least `milliseconds`.
        static func everyPendingEntryIsIdle(forMilliseconds milliseconds: Int, _ fixture: ActivityFixture) async throws -> Bool {
            for partition in 0..<fixture.keys.partitions {
                let key = fixture.keys.stream(partition)
                for group in ActivityGroup.allCases {
                    let pending = try await fixture.stream(partition).pendingCount(group: group.name)
                    guard pending > 0 else { continue }
                    let idle = try await fixture.redis.command(
                        "XPENDING", key, group.name, "IDLE", String(milliseconds), "-", "+", String(pending))
                    if idle.array?.count != pending { return false }
                }
            }
            return true
        }

        /// One raw row and one aggregated key per distinct event, aggregates equal to those computed from the
        /// events, and nothing pending.
        static func expectCountedOnce(
            _ events: [ActivityEvent], _ fixture: ActivityFixture, sourceLocation: SourceLocation = #_sourceLocation
        ) async throws {
            let unique = Set(events.map(\.key)).count
            #expect(try await fixture.rawCount() == unique, sourceLocation: sourceLocation)
            let committed = try await committed(fixture)
            #expect(committed.ingested == unique, sourceLocation: sourceLocation)
            #expect(committed.aggregated == unique, sourceLocation: sourceLocation)
            for monthly in [false, true] {
                let wrong = differences(
                    try await fixture.aggregates(monthly: monthly), fixture.expectedAggregates(events, monthly: monthly))
                #expect(wrong.isEmpty, "\(monthly ? "monthly" : "daily") cells differ: \(wrong.prefix(5))", sourceLocation: sourceLocation)
            }
            #expect(try await pendingCount(fixture) == 0, sourceLocation: sourceLocation)
        }

        /// `cell: actual vs expected` for each cell that differs (thousands of cells: a plain `==` would print all).
        static func differences(_ actual: [String: [Int64]], _ expected: [String: [Int64]]) -> [String] {
            Set(actual.keys).union(expected.keys).sorted().compactMap { cell in
                actual[cell] == expected[cell]
                    ? nil : "\(cell): \(actual[cell].map { "\($0)" } ?? "none") vs \(expected[cell].map { "\($0)" } ?? "none")"
            }
        }
    }
}
