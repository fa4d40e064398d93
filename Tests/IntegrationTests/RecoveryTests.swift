import CallsCore
import CallsStore
@testable import CallsWorker
import Foundation
import JobQueue
import PostgresNIO
import TestSupport
import Testing

extension IntegrationSuite {
    /// Jobs survive the death of the worker holding them and the loss of Redis' data.
    @Suite struct RecoveryTests {
        /// Leaves a call exactly as a worker killed mid-job leaves it: the job in that worker's processing list,
        /// the worker registered with a heartbeat about to expire, the call claimed under its lease. The lease
        /// is an hour long: only the reaper ending a dead worker's leases lets the survivor finish in time.
        static func simulateWorkerKilledMidJob(
            callID: UUID, stack: Stack, database: DatabaseURL, redis: RedisClient
        ) async throws -> String {
            let ghost = "ghost-\(UUID().uuidString.prefix(8))"
            let keys = QueueKeys(name: stack.api.queue.name)
            let fetcher = JobFetcher(client: RedisClient(url: stack.api.queue.redis), keys: keys, worker: ghost)
            #expect(try await fetcher.fetch(timeoutSeconds: 2) == "analyze:\(callID.lowercasedString)")
            await fetcher.shutdown()
            let registry = WorkerRegistry(client: redis, keys: keys)
            try await registry.beat(worker: ghost, ttl: .milliseconds(300))
            try await registry.register(worker: ghost, description: "{}")
            let claim = try await TestServices.withPostgres(database) { client in
                try await PostgresAnalysisLeases(client: client, logger: TestServices.logger, queueingArchive: false)
                    .claim(callID: callID, worker: ghost, leaseSeconds: 3600)
            }
            guard case .claimed = claim else { throw SetupError("the ghost could not claim the call: \(claim)") }
            return ghost
        }

        @Test func aJobHeldByAWorkerThatDiedIsFinishedByAnother() async throws {
            try await Stack.withMigrated { stack, url in
                let redis = RedisClient(url: stack.api.queue.redis)
                let keys = QueueKeys(name: stack.api.queue.name)
                try await stack.withAPI { client in
                    let id = try await client.uploadedCall()
                    let callID = UUID(uuidString: id)!
                    let ghost = try await Self.simulateWorkerKilledMidJob(callID: callID, stack: stack, database: url, redis: redis)

                    try await stack.withWorker { () async throws -> Void in
                        let call = try await client.waitForFinalStatus(id, seconds: 60)
                        #expect(call.status == .ready, "\(call)")
                        let registry = WorkerRegistry(client: redis, keys: keys)
                        #expect(try await waitUntil(within: 10) { try await !registry.registeredWorkers().contains(ghost) })
                        #expect(try await RedisJobQueue(client: redis, keys: keys).processingCount(worker: ghost) == 0)
                    }
                }
                let attempts = try await TestServices.withPostgres(url) { client in
                    try await client.query("SELECT attempts FROM calls", logger: TestServices.logger).decode(Int.self).collectAll()
                }
                #expect(attempts == [2], "the dead worker's claim and the survivor's")
                await redis.shutdown()
            }
        }

        @Test func callsLostWithRedisDataAreReEnqueuedFromPostgres() async throws {
            try await RedisServerProcess.withPrivateServer { server in
                try await Stack.withMigrated(redis: RedisURL(string: server.url)) { stack, url in
                    let redis = RedisClient(url: stack.api.queue.redis)
                    try await stack.withAPI { client in
                        let id = try await client.uploadedCall()
                        try await redis.command("FLUSHALL")
                        let keys = QueueKeys(name: stack.api.queue.name)
                        #expect(try await RedisJobQueue(client: redis, keys: keys).readyCount() == 0)

                        try await stack.withWorker { () async throws -> Void in
                            let call = try await client.waitForFinalStatus(id, seconds: 60)
                            #expect(call.status == .ready, "\(call)")
                        }
                    }
                    await redis.shutdown()
                }
            }
        }

        @Test func theReaperWaitsAfterARedisRestart() async throws {
            try await RedisServerProcess.withPrivateServer { server in
                let redis = RedisClient(url: try #require(RedisURL(string: server.url)))
                let keys = QueueKeys(name: "restart-guard")
                // A live worker whose heartbeat did not survive the restart yet.
                try await WorkerRegistry(client: redis, keys: keys).register(worker: "alive", description: "{}")
                try await redis.command("LPUSH", keys.processing(worker: "alive"), "analyze:\(UUID().lowercasedString)")
                let reaper = Reaper(client: redis, keys: keys, owner: "test", restartGrace: .seconds(60))
                #expect(try await reaper.reap() == .waitingAfterRestart)
                #expect(try await RedisJobQueue(client: redis, keys: keys).processingCount(worker: "alive") == 1)

                let eager = Reaper(client: redis, keys: keys, owner: "test", restartGrace: .zero)
                #expect(try await eager.reap() == .reaped(workers: ["alive"], jobs: 1))
                #expect(try await eager.reap() == .busy, "the lock keeps a second reaper out")
                await redis.shutdown()
            }
        }

        @Test func aDeadWorkersJobsAreRequeuedEvenWhenItsLeasesCannotBeEnded() async throws {
            try await Stack.withMigrated { stack, url in
                let (redis, queue) = stack.makeQueue()
                let registry = WorkerRegistry(client: redis, keys: queue.keys)
                let ghost = "ghost-\(UUID().uuidString.prefix(8))"
                let inHand = "analyze:\(UUID().lowercasedString)"
                try await redis.command("LPUSH", queue.keys.processing(worker: ghost), inHand)
                try await registry.register(worker: ghost, description: "{}")
                try await TestServices.withPostgres(url) { postgres in
                    let maintenance = MaintenanceService(
                        owner: "test", reaper: Reaper(client: redis, keys: queue.keys, owner: "test", restartGrace: .zero),
                        queue: queue, registry: registry,
                        keeper: UnexpirableLeaseKeeper(base: PostgresLeaseKeeper(client: postgres, logger: TestServices.logger)),
                        archiving: false, deliveringCallbacks: false, timing: Stack.fastTiming, logger: TestServices.logger)
                    await maintenance.upkeep()
                }
                // The lease stays until it expires (the reconciler's case); the job itself is back on the queue.
                #expect(try await redis.command("LRANGE", queue.keys.ready, "0", "-1").array?.compactMap(\.string) == [inHand])
                #expect(try await queue.processingCount(worker: ghost) == 0)
                #expect(try await registry.registeredWorkers().isEmpty)
                await redis.shutdown()
            }
        }

        @Test func aStoppingWorkerHandsBackTheJobsItStillHolds() async throws {
            try await Stack.withMigrated { stack, url in
                let (redis, queue) = stack.makeQueue()
                let id = "stopping-\(UUID().uuidString.prefix(8))"
                let inHand = "analyze:\(UUID().lowercasedString)"
                try await stack.withWorker(id: id) { () async throws -> Void in
                    // As if a slot had taken it and the grace period ran out before it finished.
                    try await redis.command("LPUSH", queue.keys.processing(worker: id), inHand)
                }
                #expect(try await queue.processingCount(worker: id) == 0)
                #expect(try await redis.command("LRANGE", queue.keys.ready, "0", "-1").array?.compactMap(\.string) == [inHand])
                await redis.shutdown()
            }
        }

        @Test func aWorkerRegistersWhileRunningAndDeregistersOnShutdown() async throws {
            try await Stack.withMigrated { stack, url in
                let redis = RedisClient(url: stack.api.queue.redis)
                let registry = WorkerRegistry(client: redis, keys: QueueKeys(name: stack.api.queue.name))
                let id = "registered-\(UUID().uuidString.prefix(8))"
                try await stack.withWorker(id: id) { () async throws -> Void in
                    #expect(try await waitUntil(within: 5) { try await registry.registeredWorkers() == [id] })
                    #expect(try await registry.aliveCount() == 1)
                }
                #expect(try await registry.registeredWorkers().isEmpty)
                await redis.shutdown()
            }
        }
    }
}
