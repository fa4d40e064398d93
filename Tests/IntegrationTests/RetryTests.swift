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
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await queue.promoteDueRetries() == 1)
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

        @Test func aJobThatKeepsKillingItsWorkerIsDeadLetteredWhileOthersFlow() async throws {
            try await Stack.withMigrated { stack, url in
                let (redis, queue) = stack.makeQueue()
                try await stack.withAPI { client in
                    let poison = try await client.createCall()
                    let body = CallFlowTests.multipart(CallFlowTests.dialogue())
                    #expect(try await streamUpload(port: client.port!, callID: poison, body: body, chunkSize: 65_536).0 == 202)
                    // As if it had been delivered to workers that all died while analysing it.
                    let payload = "analyze:\(poison)"
                    try await redis.command("HSET", queue.keys.job(payload), "deliveries", String(stack.configuration.maxDeliveries))
                    let healthy = try await client.createCall()
                    #expect(try await streamUpload(port: client.port!, callID: healthy, body: body, chunkSize: 65_536).0 == 202)

                    try await stack.withWorker { () async throws -> Void in
                        let dead = try await client.waitForFinalStatus(poison)
                        #expect(dead["status"] as? String == "failed")
                        #expect((dead["error"] as? String)?.contains("without its analysis ever finishing") == true, "\(dead)")
                        #expect(try await client.waitForFinalStatus(healthy)["status"] as? String == "ready")
                        #expect(try await queue.deadPayloads() == [payload])
                    }
                }
                await redis.shutdown()
            }
        }
    }
}
