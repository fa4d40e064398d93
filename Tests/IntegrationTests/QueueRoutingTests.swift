import CallsCore
import Foundation
import JobQueue
import TestSupport
import Testing

extension IntegrationSuite {
    /// Analysis and archive jobs wait in lists of their own; every path that puts a job back (retry, hand-back,
    /// reaper, operator retry) returns it to the list of its kind, and withdrawing a call takes both.
    @Suite struct QueueRoutingTests {
        static func lists(_ queue: RedisJobQueue, _ redis: RedisClient) async throws -> (analyses: [String], archives: [String]) {
            let analyses = try await redis.command("LRANGE", queue.keys.ready, "0", "-1").array?.compactMap(\.string) ?? []
            let archives = try await redis.command("LRANGE", queue.keys.archiveReady, "0", "-1").array?.compactMap(\.string) ?? []
            return (analyses.sorted(), archives.sorted())
        }

        @Test func everyPathBackToTheQueueKeepsAJobsKind() async throws {
            let redis = RedisClient(url: try TestServices.redisURL())
            let keys = QueueKeys(name: "routing-\(UUID().uuidString.prefix(8))")
            let queue = RedisJobQueue(client: redis, keys: keys)
            let call = UUID()
            let analysis = Job(kind: .analyze, callID: call)
            let archive = Job(kind: .archive, callID: call)

            try await queue.enqueue(analysis)
            try await queue.enqueue(archive)
            var lists = try await Self.lists(queue, redis)
            #expect(lists.analyses == [analysis.payload] && lists.archives == [archive.payload])

            // Each kind is fetched by its own slots.
            let archiveFetcher = JobFetcher(client: RedisClient(url: try TestServices.redisURL()), keys: keys, worker: "w", kind: .archive)
            #expect(try await archiveFetcher.fetch(timeoutSeconds: 1) == archive.payload)
            await archiveFetcher.shutdown()
            let analysisFetcher = JobFetcher(client: RedisClient(url: try TestServices.redisURL()), keys: keys, worker: "w")
            #expect(try await analysisFetcher.fetch(timeoutSeconds: 1) == analysis.payload)
            await analysisFetcher.shutdown()

            // A worker stopping hands both back, each to its own list.
            #expect(try await queue.handBack(worker: "w") == 2)
            lists = try await Self.lists(queue, redis)
            #expect(lists.analyses == [analysis.payload] && lists.archives == [archive.payload])

            // The reaper does the same for a dead worker.
            try await redis.command("DEL", keys.ready, keys.archiveReady)
            try await redis.command("LPUSH", keys.processing(worker: "ghost"), analysis.payload, archive.payload)
            try await WorkerRegistry(client: redis, keys: keys).register(worker: "ghost", description: "{}")
            let reaper = Reaper(client: redis, keys: keys, owner: "test", restartGrace: .zero)
            #expect(try await reaper.reap() == .reaped(workers: ["ghost"], jobs: 2))
            lists = try await Self.lists(queue, redis)
            #expect(lists.analyses == [analysis.payload] && lists.archives == [archive.payload])

            // A due retry is promoted to its own list.
            try await redis.command("DEL", keys.ready, keys.archiveReady)
            try await redis.command("LPUSH", keys.processing(worker: "w"), archive.payload)
            try await queue.scheduleRetry(archive.payload, after: .zero, worker: "w", error: "disk full")
            #expect(try await queue.promoteDueRetries() == 1)
            lists = try await Self.lists(queue, redis)
            #expect(lists.analyses.isEmpty && lists.archives == [archive.payload])

            // So does an operator's retry of a dead job.
            try await redis.command("DEL", keys.archiveReady)
            try await redis.command("LPUSH", keys.processing(worker: "w"), archive.payload)
            try await queue.deadLetter(archive.payload, worker: "w", error: "gave up")
            #expect(try await queue.retryDead(archive.payload))
            lists = try await Self.lists(queue, redis)
            #expect(lists.analyses.isEmpty && lists.archives == [archive.payload])

            // Callback deliveries have their own list too, and find their way back to it.
            let callback = Job(kind: .callback, callID: call)
            try await queue.enqueue(callback)
            #expect(try await redis.command("LRANGE", keys.callbackReady, "0", "-1").array?.compactMap(\.string) == [callback.payload])
            let callbackFetcher = JobFetcher(
                client: RedisClient(url: try TestServices.redisURL()), keys: keys, worker: "w", kind: .callback)
            #expect(try await callbackFetcher.fetch(timeoutSeconds: 1) == callback.payload)
            await callbackFetcher.shutdown()
            #expect(try await queue.handBack(worker: "w") == 1)
            #expect(try await queue.readyCount(.callback) == 1)

            // Withdrawing a call's jobs takes every kind.
            try await queue.enqueue(analysis)
            try await queue.withdrawJobs(of: call)
            lists = try await Self.lists(queue, redis)
            let callbacksLeft = try await queue.readyCount(.callback)
            #expect(lists.analyses.isEmpty && lists.archives.isEmpty && callbacksLeft == 0)
            await redis.shutdown()
        }
    }
}
