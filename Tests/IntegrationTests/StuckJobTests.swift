import AudioAnalysis
import CallsCore
import CallsStore
@testable import CallsWorker
import Foundation
import JobQueue
import NIOPosix
import PostgresNIO
import RecordingStorage
import Synchronization
import TestSupport
import Testing

/// Runs `body`, cancelled after `limit`; true when it ended by itself.
func finishes(within limit: Duration, _ body: @escaping @Sendable () async -> Void) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
        group.addTask {
            await body()
            return true
        }
        group.addTask {
            try? await Task.sleep(for: limit)
            return false
        }
        let first = await group.next() ?? false
        group.cancelAll()
        return first
    }
}

/// Answers every job with one outcome, counting what it was asked.
final class ScriptedHandler: JobHandler {
    let outcome: JobOutcome
    let handled = Mutex(0)

    init(outcome: JobOutcome) {
        self.outcome = outcome
    }

    func handle(_ job: Job) async throws -> JobOutcome {
        handled.withLock { $0 += 1 }
        return outcome
    }

    func abandon(_ job: Job, reason: String) async throws {}
    func relinquish(_ job: Job) async throws {}
}

extension IntegrationSuite {
    @Suite struct StuckJobTests {
        static func service(worker: String, queue: RedisJobQueue, handler: any JobHandler, maxDeliveries: Int) -> WorkerService {
            WorkerService(
                worker: worker, concurrency: 1, queue: queue,
                makeFetcher: { _ in fatalError("process(_:) is called directly") }, handler: handler,
                retryPolicy: RetryPolicy(base: .milliseconds(10), maxDeliveries: maxDeliveries),
                watchdog: FetchWatchdog(threshold: .seconds(10)), logger: TestServices.logger)
        }

        /// Every commit fails the same way, and no wait will change that: the delivery gives up after a few
        /// tries in place, gives its lease back (the heartbeat renews it no more), and the job takes the
        /// delayed path; after `maxDeliveries` it is dead-lettered and the call `failed`.
        @Test func aJobThatKeepsThrowingTheSameErrorGivesItsSlotAndLeaseBackAndEndsDead() async throws {
            try await Stack.withMigrated { stack, url in
                try await stack.withAPI { client in
                    _ = try await client.uploadedCall()
                }
                let (redis, queue) = stack.makeQueue()
                let pool = NIOThreadPool(numberOfThreads: 1)
                pool.start()
                try await TestServices.withPostgres(url) { postgres in
                    let base = PostgresAnalysisLeases(client: postgres, logger: TestServices.logger, queueingArchive: false)
                    let leases = FlakyLeases(base: base, failures: 0, commitAlwaysRefused: true)
                    let worker = "stuck"
                    let handler = AnalysisJobHandler(
                        leases: leases, store: try LocalRecordingStore(root: stack.recordings.path, ioPool: pool),
                        analyzer: AudioAnalyzer(), worker: worker, leaseSeconds: 30, maxAttempts: 5,
                        analysisPool: pool, logger: TestServices.logger)
                    let service = Self.service(worker: worker, queue: queue, handler: handler, maxDeliveries: 2)
                    let fetcher = JobFetcher(client: RedisClient(url: stack.api.queue.redis), keys: queue.keys, worker: worker)
                    let payload = try #require(try await fetcher.fetch(timeoutSeconds: 2))

                    #expect(await finishes(within: .seconds(20)) { await service.process(payload) }, "the slot is free again")
                    #expect(
                        try await PostgresLeaseKeeper(client: postgres, logger: TestServices.logger).extendLeases(
                            worker: worker, leaseSeconds: 30) == 0, "no lease left to renew")
                    let owners = try await postgres.query("SELECT status, lease_owner FROM calls", logger: TestServices.logger)
                        .decode((String, String?).self).collectAll()
                    #expect(owners.map(\.0) == ["processing"] && owners.map(\.1) == [nil])
                    #expect(try await queue.delayedPayloads() == [payload])
                    #expect(try await queue.processingCount(worker: worker) == 0)
                    #expect(try await queue.lastError(of: payload)?.contains("the database refused the result") == true)

                    // Redelivered until the delivery count gives up on it.
                    var redeliveries = 0
                    while try await queue.deadPayloads().isEmpty, redeliveries < 3 {
                        redeliveries += 1
                        #expect(try await waitUntil(within: 5) { try await queue.promoteDueRetries() == 1 })
                        let again = try #require(try await fetcher.fetch(timeoutSeconds: 2))
                        #expect(await finishes(within: .seconds(20)) { await service.process(again) })
                    }
                    await fetcher.shutdown()
                    #expect(try await queue.deadPayloads() == [payload])
                    let final = try await postgres.query("SELECT status FROM calls", logger: TestServices.logger)
                        .decode(String.self).collectAll()
                    #expect(final == ["failed"])
                }
                try await pool.shutdownGracefully()
                await redis.shutdown()
            }
        }

        /// A delivery that finds another worker's lease on the job never ran it: counted, duplicates of a long
        /// job would make it look like one that kills its workers.
        @Test func aDeliveryHeldByAnotherWorkerIsNotCounted() async throws {
            let redis = RedisClient(url: try TestServices.redisURL())
            let queue = RedisJobQueue(client: redis, keys: QueueKeys(name: "held-\(UUID().uuidString.prefix(8))"))
            let payload = Job(kind: .analyze, callID: UUID()).payload
            try await redis.command("HSET", queue.keys.job(payload), "deliveries", "2")
            let service = Self.service(worker: "w", queue: queue, handler: ScriptedHandler(outcome: .heldByAnother), maxDeliveries: 5)
            for _ in 0..<4 {
                try await redis.command("LPUSH", queue.keys.processing(worker: "w"), payload)
                await service.process(payload)
            }
            #expect(try await redis.command("HGET", queue.keys.job(payload), "deliveries").string == "2")
            #expect(try await queue.processingCount(worker: "w") == 0)
            #expect(try await queue.deadPayloads().isEmpty)
            await redis.shutdown()
        }
    }
}
