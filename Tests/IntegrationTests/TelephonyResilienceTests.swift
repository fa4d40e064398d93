import CallsCore
import CallsStore
import EventBus
import Foundation
import JobQueue
import PostgresNIO
import QueueTraffic
import Testing
import TestSupport

extension IntegrationSuite {
    /// The event side when things die: a panel worker killed mid-batch, Redis restarted from its append-only
    /// file, PostgreSQL stopped for ten seconds. Each time the status ends exactly at the generator's truth:
    /// nothing lost, nothing counted twice.
    @Suite struct TelephonyResilienceTests {
        static func traffic(seed: UInt64, minutes: Double) -> QueueLogReplay {
            var configuration = TrafficConfiguration(seed: seed)
            configuration.sources = ["pbx-a", "pbx-b"]
            configuration.queueCount = 5
            configuration.agentCount = 50
            configuration.callsPerHourPerQueue = 120
            configuration.meanAgentActivitySeconds = 600
            let end = Date().addingTimeInterval(-3)
            configuration.start = end.addingTimeInterval(-minutes * 60)
            return QueueLogReplay(configuration, through: end)
        }

        @Test func aPanelWorkerKilledMidBatchLosesNothingAndCountsNothingTwice() async throws {
            let replay = Self.traffic(seed: 21, minutes: 50)
            try await Stack.withMigrated { stack, url in
                try await stack.withAPI { client in
                    let pushed = try await replay.push(replay.lineCount, batch: 500, client: client)
                    #expect(pushed.accepted == replay.lineCount)
                    // Small batches, so the victim is killed with some applied and some not.
                    let settings = ["CALLS_WORKER_ROLES": "panel", "CALLS_PANEL_BATCH_SIZE": "40"]
                    let victim = try SpawnedWorker(stack: stack, logDirectory: stack.recordings.path, settings: settings)
                    let applied = try await TestServices.withPostgres(url) { postgres in
                        try await firstValue(of: "a first applied batch", within: 60, every: .milliseconds(5)) {
                            let count = try await Self.appliedCount(postgres)
                            return count > 0 ? count : nil
                        }
                    }
                    victim.signal(SIGKILL)
                    _ = await victim.process.waitForExit()
                    #expect(applied < replay.lineCount, "killed before it applied everything")
                    let survivor = try SpawnedWorker(stack: stack, logDirectory: stack.recordings.path, settings: settings)
                    let matched = try await replay.statusMatchesTruth(client: client, within: 60)
                    await survivor.process.stop()
                    #expect(matched, "\(survivor.log)")
                }
            }
        }

        @Test func redisRestartedFromItsAppendOnlyFileLosesNothing() async throws {
            let replay = Self.traffic(seed: 22, minutes: 40)
            try await RedisServerProcess.withPrivateServer { redis in
                try await TestServices.withMigratedDatabase { url in
                    let stack = try Stack.make(database: url, redis: RedisURL(host: "127.0.0.1", port: redis.port))
                    defer { stack.recordings.remove() }
                    try await stack.withWorker {
                        try await stack.withAPI { client in
                            _ = try await replay.push(replay.lineCount / 4, batch: 200, client: client)
                            // A crash: what Redis acknowledged is in its append-only file (fsync always here).
                            await redis.kill()
                            let refused = try await replay.push(10, batch: 10, client: client)
                            #expect(refused.accepted == 0, "nothing is taken while Redis is away")
                            #expect(refused.refusals == [503, 503], "each PBX's push is answered 503, to be retried")
                            try await redis.start()
                            while !replay.pushedEverything {
                                _ = try await replay.push(replay.lineCount, batch: 200, client: client)
                            }
                            #expect(try await replay.statusMatchesTruth(client: client, within: 60))
                        }
                    }
                }
            }
        }

        @Test func aTenSecondDatabaseOutageGrowsTheBacklogWhichThenDrains() async throws {
            let replay = Self.traffic(seed: 23, minutes: 40)
            try await PostgresServerProcess.withPrivateServer { postgresServer in
                let url = postgresServer.url
                _ = try await TestServices.withPostgres(url) { client in
                    try await Migrator(client: client, directory: "migrations", logger: TestServices.logger).migrate()
                }
                let stack = try Stack.make(database: url)
                defer { stack.recordings.remove() }
                let redis = RedisClient(url: stack.api.queue.redis)
                let stream = EventStream(redis: redis, key: TelephonyStreamKeys(namespace: stack.api.queue.name).stream)
                try await stack.withWorker {
                    try await stack.withAPI { client in
                        _ = try await replay.push(replay.lineCount / 3, batch: 200, client: client)
                        #expect(
                            try await waitUntil(within: 30) {
                                try await stream.oldestUnacknowledgedID(group: TelephonyStreamKeys.panelGroup) == nil
                            })
                        await postgresServer.stop()
                        let started = ContinuousClock.now
                        // Events keep coming in while the database is away: they wait on the stream.
                        let during = try await replay.push(replay.lineCount / 3, batch: 200, client: client)
                        #expect(during.accepted > 0)
                        let backlog = try await stream.oldestUnacknowledgedID(group: TelephonyStreamKeys.panelGroup)
                        #expect(backlog != nil, "the backlog grows while nothing can be applied")
                        try await Task.sleep(until: started + .seconds(10))
                        try await postgresServer.start()
                        while !replay.pushedEverything {
                            _ = try await replay.push(replay.lineCount, batch: 200, client: client)
                        }
                        #expect(try await replay.statusMatchesTruth(client: client, within: 90))
                        #expect(try await stream.oldestUnacknowledgedID(group: TelephonyStreamKeys.panelGroup) == nil)
                    }
                }
                await redis.shutdown()
            }
        }

        static func appliedCount(_ postgres: PostgresClient) async throws -> Int {
            for try await count in try await postgres.query("SELECT count(*)::int FROM telephony_events").decode(Int.self) {
                return count
            }
            return 0
        }
    }
}
