import CallsCore
import Foundation
import JobQueue
import TestSupport
import Testing

extension IntegrationSuite {
    @Suite struct AdminTests {
        @Test func aDeadJobIsListedAndCanBeRetriedAfterTheFileIsRepaired() async throws {
            try await Stack.withMigrated { stack, url in
                try await stack.withAPI { client in
                    let id = try await client.uploadedCall()
                    // Damage the stored file, as a disk fault would.
                    let stored = try #require(stack.recordings.files().first { $0.hasSuffix(".wav") })
                    let path = stack.recordings.path + "/" + stored
                    let original = try Data(contentsOf: URL(fileURLWithPath: path))
                    try Data(repeating: 0x42, count: 1000).write(to: URL(fileURLWithPath: path))

                    try await stack.withWorker { () async throws -> Void in
                        #expect(try await client.waitForFinalStatus(id).status == .failed)
                        #expect(
                            try await waitUntil(within: 5) {
                                try await client.json(.get, "/admin/queue", as: RedisJobQueue.Statistics.self).1.dead == 1
                            })
                        let (status, dead) = try await client.json(.get, "/admin/dead", as: DeadJobList.self)
                        #expect(status == .ok)
                        let item = try #require(dead.items.first)
                        #expect(item.callId == id)
                        #expect(item.error?.contains("not a readable audio file") == true)

                        try original.write(to: URL(fileURLWithPath: path))
                        let (retried, answer) = try await client.json(.post, "/admin/dead/\(id)/retry")
                        #expect(retried == .accepted, "\(answer)")
                        #expect(try await client.waitForFinalStatus(id).status == .ready)
                        let (_, queue) = try await client.json(.get, "/admin/queue", as: RedisJobQueue.Statistics.self)
                        #expect(queue.dead == 0)
                        #expect(queue.workersAlive == 1)
                    }
                }
            }
        }

        /// A receiver that was down long enough to kill the callback's job takes it once an operator retries it.
        @Test func aDeadCallbackCanBeRetried() async throws {
            let receiver = CallbackTests.Receiver(statuses: [.serviceUnavailable, .ok])
            try await receiver.run { port in
                try await Stack.withMigrated { plain, _ in
                    let stack = CallbackTests.stack(plain, maxAttempts: 1)
                    let (redis, queue) = stack.makeQueue()
                    try await stack.withWorker { () async throws -> Void in
                        try await stack.withAPI { client in
                            let id = try await CallbackTests.callWithUploadedDialogue(
                                client, callbackURL: "http://127.0.0.1:\(port)/hooks/calls")
                            _ = try await CallbackTests.waitForCallback(client, id, status: .failed)
                            #expect(try await waitUntil(within: 5) { try await queue.deadPayloads() == ["callback:\(id)"] })

                            let (status, answer) = try await client.json(.post, "/admin/dead/\(id)/retry")
                            #expect(status == .accepted, "\(answer)")
                            let retry = try answer.decode([String: String].self)
                            #expect(retry == ["call_id": id, "job": "callback", "status": "pending"])
                            let call = try await CallbackTests.waitForCallback(client, id, status: .delivered)
                            let callback = try #require(call.callback)
                            #expect(callback.status == .delivered && callback.attempts == 1, "\(callback)")
                            #expect(try await queue.deadPayloads().isEmpty)
                        }
                    }
                    await redis.shutdown()
                }
            }
            #expect(receiver.received.count == 2)
        }

        @Test func retryingSomethingThatIsNotDeadIsNotFound() async throws {
            try await Stack.withMigrated { stack, _ in
                try await stack.withAPI { client in
                    let (status, problem) = try await client.json(.post, "/admin/dead/\(UUID().lowercasedString)/retry")
                    #expect(status == .notFound)
                    #expect(problem.problem?.code == "dead_job_not_found")
                    let (badLimit, limitProblem) = try await client.json(.get, "/admin/dead?limit=0")
                    #expect(badLimit == .unprocessableContent)
                    #expect(limitProblem.problem?.code == "validation_failed")
                }
            }
        }
    }
}
