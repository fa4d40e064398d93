import Foundation
import JobQueue
import Testing

extension IntegrationSuite {
    /// Every queue script, run for every `Job.Kind`: a job moved by any of them ends up in the ready list of
    /// its own kind and in no other. A kind added to `Job.Kind` is covered here without an edit, so a script
    /// that routes it wrongly fails this suite.
    @Suite struct QueueScriptKindTests {
        /// A queue of its own, the client, and the job under test.
        struct Fixture {
            let redis: RedisClient
            let keys: QueueKeys
            let queue: RedisJobQueue
            let job: Job

            init(_ kind: Job.Kind) throws {
                redis = RedisClient(url: try TestServices.redisURL())
                keys = QueueKeys(name: "scripts-\(kind.rawValue)-\(UUID().uuidString.prefix(8))")
                queue = RedisJobQueue(client: redis, keys: keys)
                job = Job(kind: kind, callID: UUID())
            }

            /// What each kind's ready list holds, kinds with an empty list left out.
            func readyLists() async throws -> [Job.Kind: [String]] {
                var lists: [Job.Kind: [String]] = [:]
                for kind in Job.Kind.allCases {
                    let entries = try await redis.command("LRANGE", keys.ready(for: kind), "0", "-1").array?.compactMap(\.string) ?? []
                    if !entries.isEmpty { lists[kind] = entries }
                }
                return lists
            }

            /// Only the job, in the ready list of its kind.
            var queuedAlone: [Job.Kind: [String]] { [job.kind: [job.payload]] }

            func processing(_ worker: String) async throws -> [String] {
                try await redis.command("LRANGE", keys.processing(worker: worker), "0", "-1").array?.compactMap(\.string) ?? []
            }

            func holding(_ worker: String) async throws {
                try await redis.command("LPUSH", keys.processing(worker: worker), job.payload)
            }

            func clearReadyLists() async throws {
                try await redis.command(["DEL"] + keys.readyLists)
            }
        }

        @Test(arguments: Job.Kind.allCases)
        func enqueueFetchHandBackAndAcknowledge(kind: Job.Kind) async throws {
            let it = try Fixture(kind)
            try await it.queue.enqueue(it.job)
            #expect(try await it.readyLists() == it.queuedAlone)

            let fetcher = JobFetcher(client: RedisClient(url: try TestServices.redisURL()), keys: it.keys, worker: "w", kind: kind)
            #expect(try await fetcher.fetch(timeoutSeconds: 1) == it.job.payload)
            #expect(try await it.readyLists().isEmpty)
            #expect(try await it.processing("w") == [it.job.payload])

            #expect(try await it.queue.handBack(worker: "w") == 1)
            #expect(try await it.readyLists() == it.queuedAlone)
            #expect(try await it.processing("w").isEmpty)

            #expect(try await fetcher.fetch(timeoutSeconds: 1) == it.job.payload)
            await fetcher.shutdown()
            #expect(try await it.queue.recordDelivery(it.job.payload) == 1)
            try await it.queue.acknowledge(payload: it.job.payload, worker: "w")
            #expect(try await it.processing("w").isEmpty)
            #expect(try await it.redis.command("EXISTS", it.keys.job(it.job.payload)) == .integer(0))
            #expect(try await it.readyLists().isEmpty)
            await it.redis.shutdown()
        }

        @Test(arguments: Job.Kind.allCases)
        func acknowledgeADuplicate(kind: Job.Kind) async throws {
            let it = try Fixture(kind)
            try await it.holding("w")
            #expect(try await it.queue.recordDelivery(it.job.payload) == 1)
            #expect(try await it.queue.recordDelivery(it.job.payload) == 2)
            try await it.queue.acknowledgeDuplicate(payload: it.job.payload, worker: "w")
            #expect(try await it.processing("w").isEmpty)
            #expect(try await it.redis.command("HGET", it.keys.job(it.job.payload), "deliveries").string == "1")
            await it.redis.shutdown()
        }

        @Test(arguments: Job.Kind.allCases)
        func scheduleARetryAndPromoteIt(kind: Job.Kind) async throws {
            let it = try Fixture(kind)
            try await it.holding("w")
            try await it.queue.scheduleRetry(it.job.payload, after: .zero, worker: "w", error: "disk full")
            #expect(try await it.processing("w").isEmpty)
            #expect(try await it.queue.delayedPayloads() == [it.job.payload])
            #expect(try await it.queue.lastError(of: it.job.payload) == "disk full")

            #expect(try await it.queue.promoteDueRetries() == 1)
            #expect(try await it.queue.delayedPayloads().isEmpty)
            #expect(try await it.readyLists() == it.queuedAlone)
            await it.redis.shutdown()
        }

        @Test(arguments: Job.Kind.allCases)
        func deadLetterAndRetryTheDeadJob(kind: Job.Kind) async throws {
            let it = try Fixture(kind)
            try await it.holding("w")
            try await it.queue.deadLetter(it.job.payload, worker: "w", error: "gave up")
            #expect(try await it.processing("w").isEmpty)
            #expect(try await it.queue.isDead(it.job.payload))
            #expect(try await it.queue.lastError(of: it.job.payload) == "gave up")

            #expect(try await it.queue.retryDead(it.job.payload))
            #expect(try await !it.queue.isDead(it.job.payload))
            #expect(try await it.readyLists() == it.queuedAlone)
            #expect(try await !it.queue.retryDead(it.job.payload), "no longer dead")
            await it.redis.shutdown()
        }

        @Test(arguments: Job.Kind.allCases)
        func reapADeadWorker(kind: Job.Kind) async throws {
            let it = try Fixture(kind)
            try await WorkerRegistry(client: it.redis, keys: it.keys).register(worker: "ghost", description: "{}")
            try await it.holding("ghost")
            let reaper = Reaper(client: it.redis, keys: it.keys, owner: "test", restartGrace: .zero)
            #expect(try await reaper.reap() == .reaped(workers: ["ghost"], jobs: 1))
            #expect(try await it.processing("ghost").isEmpty)
            #expect(try await it.readyLists() == it.queuedAlone)
            await it.redis.shutdown()
        }

        /// Withdrawing finds the job wherever it waits: its ready list, the delayed and the dead set.
        @Test(arguments: Job.Kind.allCases)
        func withdraw(kind: Job.Kind) async throws {
            let it = try Fixture(kind)
            try await it.queue.enqueue(it.job)
            try await it.redis.command("ZADD", it.keys.delayed, "0", it.job.payload)
            try await it.redis.command("ZADD", it.keys.dead, "0", it.job.payload)
            #expect(try await it.queue.recordDelivery(it.job.payload) == 1)
            let bystander = Job(kind: kind, callID: UUID())
            try await it.queue.enqueue(bystander)

            try await it.queue.withdraw(it.job)
            #expect(try await it.readyLists() == [kind: [bystander.payload]])
            #expect(try await it.queue.delayedPayloads().isEmpty)
            #expect(try await it.queue.deadPayloads().isEmpty)
            #expect(try await it.redis.command("EXISTS", it.keys.job(it.job.payload)) == .integer(0))
            await it.redis.shutdown()
        }

        /// A payload naming no kind goes where `ready(forPayload:)` says, whichever script moves it.
        @Test func aMalformedPayloadGoesWhereTheSwiftSideSays() async throws {
            let it = try Fixture(.analyze)
            let expected = it.keys.ready(forPayload: "nonsense")
            #expect(expected == it.keys.ready(for: QueueKeys.kindOfMalformedPayloads))
            try await it.redis.command("LPUSH", it.keys.processing(worker: "w"), "nonsense", "archive")
            #expect(try await it.queue.handBack(worker: "w") == 2)
            #expect(try await it.redis.command("LRANGE", expected, "0", "-1").array?.compactMap(\.string) == ["nonsense", "archive"])
            #expect(it.keys.ready(forPayload: "archive") == expected, "a kind's name without the colon is no payload")
            try await it.clearReadyLists()
            await it.redis.shutdown()
        }
    }
}
