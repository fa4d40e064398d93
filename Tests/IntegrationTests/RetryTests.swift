import CallsCore
import Foundation
import JobQueue
import TestSupport
import Testing

extension IntegrationSuite {
    @Suite struct RetryTests {
        @Test func theDelayedSetPromotesRetriesWhenTheyAreDue() async throws {
            let redis = RedisClient(url: try TestServices.redisURL())
            let keys = QueueKeys(name: "retry-\(UUID().uuidString.prefix(8))")
            let queue = RedisJobQueue(client: redis, keys: keys)
            let payload = Job(kind: .analyze, callID: UUID()).payload
            try await redis.command("LPUSH", keys.processing(worker: "w"), payload)

            try await queue.scheduleRetry(payload, after: .milliseconds(400), worker: "w", error: "decode failed")
            #expect(try await queue.processingCount(worker: "w") == 0, "scheduling a retry settles the delivery")
            #expect(try await queue.promoteDueRetries() == 0, "not due yet")
            #expect(try await queue.readyCount() == 0)
            // Promoted once due (400 ms on), however late this poll runs on a loaded machine.
            #expect(try await waitUntil(within: 10) { try await queue.promoteDueRetries() == 1 })
            #expect(try await queue.readyCount() == 1)
            #expect(try await queue.delayedPayloads().isEmpty)
            #expect(try await queue.lastError(of: payload) == "decode failed")
            await redis.shutdown()
        }

        @Test(arguments: [false, true])
        func acknowledgingSettlesTheDeliveryAndForgetsTheCountUnlessAskedToKeepIt(keepingDeliveries: Bool) async throws {
            let redis = RedisClient(url: try TestServices.redisURL())
            let keys = QueueKeys(name: "ack-\(UUID().uuidString.prefix(8))")
            let queue = RedisJobQueue(client: redis, keys: keys)
            let payload = Job(kind: .analyze, callID: UUID()).payload
            let other = Job(kind: .analyze, callID: UUID()).payload
            try await redis.command("LPUSH", keys.processing(worker: "w"), payload)
            try await redis.command("LPUSH", keys.processing(worker: "w"), other)
            #expect(try await queue.recordDelivery(payload) == 1)

            try await queue.acknowledge(payload: payload, worker: "w", keepingDeliveries: keepingDeliveries)
            #expect(try await redis.command("LRANGE", keys.processing(worker: "w"), "0", "-1") == .array([.string(other)]))
            #expect(try await redis.command("EXISTS", keys.job(payload)) == .integer(keepingDeliveries ? 1 : 0))
            await redis.shutdown()
        }

        /// A duplicate delivery finishing first must not wipe the count of the copy another worker still runs.
        @Test func acknowledgingKeepsTheBookkeepingWhileAnotherWorkerHoldsACopy() async throws {
            let redis = RedisClient(url: try TestServices.redisURL())
            let keys = QueueKeys(name: "ack-\(UUID().uuidString.prefix(8))")
            let queue = RedisJobQueue(client: redis, keys: keys)
            let payload = Job(kind: .archive, callID: UUID()).payload
            for worker in ["w", "v"] {
                try await redis.command("HSET", keys.workers, worker, "{}")
                try await redis.command("LPUSH", keys.processing(worker: worker), payload)
            }
            #expect(try await queue.recordDelivery(payload) == 1)
            #expect(try await queue.recordDelivery(payload) == 2)

            try await queue.acknowledge(payload: payload, worker: "w")
            #expect(try await queue.processingCount(worker: "w") == 0)
            #expect(try await redis.command("HGET", keys.job(payload), "deliveries").string == "2", "v still runs it")
            try await queue.acknowledge(payload: payload, worker: "v")
            #expect(try await redis.command("EXISTS", keys.job(payload)) == .integer(0), "the last holder settles it")
            await redis.shutdown()
        }

        /// Every move between lists is one script: a client's own commands on the queue's keys are only EVALs,
        /// so no reaper, worker or operator can act between the steps of a move (seen through MONITOR).
        @Test func deadLetteringAndRetryingFromDeadAreEachOneScript() async throws {
            let url = try TestServices.redisURL()
            let redis = RedisClient(url: url)
            let keys = QueueKeys(name: "atomic-\(UUID().uuidString.prefix(8))")
            let queue = RedisJobQueue(client: redis, keys: keys)
            let payload = Job(kind: .callback, callID: UUID()).payload
            try await redis.command("LPUSH", keys.processing(worker: "w"), payload)
            _ = try await queue.recordDelivery(payload)

            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let log = directory.path + "/monitor.txt"
            var arguments = ["-h", url.host, "-p", String(url.port)]
            if let password = url.password { arguments += ["-a", password, "--no-auth-warning"] }
            let monitor = try ChildProcess(
                executable: try ChildProcess.which("redis-cli"), arguments: arguments + ["monitor"], standardOutput: log)
            #expect(try await waitUntil(within: 5) { (try? String(contentsOfFile: log, encoding: .utf8))?.hasPrefix("OK") == true })

            try await queue.deadLetter(payload, worker: "w", error: "gave up")
            #expect(try await queue.deadPayloads() == [payload])
            #expect(try await queue.processingCount(worker: "w") == 0)
            #expect(try await queue.lastError(of: payload) == "gave up")
            #expect(try await queue.retryDead(payload))
            #expect(try await queue.deadPayloads().isEmpty)
            #expect(try await queue.readyCount(.callback) == 1, "back on the callback list")
            #expect(try await redis.command("EXISTS", keys.job(payload)) == .integer(0), "counted afresh")
            #expect(try await !queue.retryDead(payload), "no longer dead")
            // The last command reaches the monitor before its reply reaches us; give the log a moment.
            try await redis.command("PING", "\(keys.name)-done")
            #expect(
                try await waitUntil(within: 5) {
                    (try? String(contentsOfFile: log, encoding: .utf8))?.contains("\(keys.name)-done") == true
                })
            await monitor.stop()

            let moveCommands = ["ZADD", "ZREM", "LREM", "RPUSH", "DEL", "HSET"].map { "\"\($0)\"" }
            let moves = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").filter { line in
                line.contains("{\(keys.name)}") && moveCommands.contains { line.uppercased().contains($0) }
            }
            #expect(!moves.isEmpty)
            let fromClient = moves.filter { !$0.contains(" lua]") && !$0.lowercased().contains("\"eval\"") }
            #expect(fromClient.isEmpty, "\(fromClient)")
            await redis.shutdown()
        }

        @Test func aJobThatKeepsKillingItsWorkerIsDeadLetteredWhileOthersFlow() async throws {
            try await Stack.withMigrated { stack, url in
                let (redis, queue) = stack.makeQueue()
                try await stack.withAPI { client in
                    let poison = try await client.createCall()
                    let body = CallFlowTests.multipart(CallFlowTests.dialogue())
                    #expect(try await streamUpload(port: client.port!, callID: poison, body: body, chunkSize: 65_536).0 == 202)
                    // As if it had been delivered to workers that all died while analysing it.
                    let payload = "analyze:\(poison)"
                    try await redis.command("HSET", queue.keys.job(payload), "deliveries", String(stack.worker.maxDeliveries))
                    let healthy = try await client.createCall()
                    #expect(try await streamUpload(port: client.port!, callID: healthy, body: body, chunkSize: 65_536).0 == 202)

                    try await stack.withWorker { () async throws -> Void in
                        let dead = try await client.waitForFinalStatus(poison)
                        #expect(dead.status == .failed)
                        #expect(dead.error?.contains("without its analysis ever finishing") == true, "\(dead)")
                        #expect(try await client.waitForFinalStatus(healthy).status == .ready)
                        #expect(try await queue.deadPayloads() == [payload])
                    }
                }
                await redis.shutdown()
            }
        }
    }
}
