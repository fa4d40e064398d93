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
                    let id = try await client.createCall()
                    let body = CallFlowTests.multipart(CallFlowTests.dialogue())
                    #expect(try await streamUpload(port: client.port!, callID: id, body: body, chunkSize: 65_536).0 == 202)
                    // Damage the stored file, as a disk fault would.
                    let stored = try #require(stack.recordings.files().first { $0.hasSuffix(".wav") })
                    let path = stack.recordings.path + "/" + stored
                    let original = try Data(contentsOf: URL(fileURLWithPath: path))
                    try Data(repeating: 0x42, count: 1000).write(to: URL(fileURLWithPath: path))

                    try await stack.withWorker { () async throws -> Void in
                        #expect(try await client.waitForFinalStatus(id)["status"] as? String == "failed")
                        #expect(try await eventually(within: 5) {
                            try await client.json(.get, "/admin/queue").1["dead"] as? Int == 1
                        })
                        let (status, dead) = try await client.json(.get, "/admin/dead")
                        #expect(status == .ok)
                        let item = try #require((dead["items"] as? [[String: Any]])?.first)
                        #expect(item["call_id"] as? String == id)
                        #expect((item["error"] as? String)?.contains("not a readable audio file") == true)

                        try original.write(to: URL(fileURLWithPath: path))
                        let (retried, answer) = try await client.json(.post, "/admin/dead/\(id)/retry")
                        #expect(retried == .accepted, "\(answer)")
                        #expect(try await client.waitForFinalStatus(id)["status"] as? String == "ready")
                        let (_, queue) = try await client.json(.get, "/admin/queue")
                        #expect(queue["dead"] as? Int == 0)
                        #expect(queue["workers_alive"] as? Int == 1)
                    }
                }
            }
        }

        @Test func retryingSomethingThatIsNotDeadIsNotFound() async throws {
            try await Stack.withMigrated { stack, _ in
                try await stack.withAPI { client in
                    let (status, problem) = try await client.json(.post, "/admin/dead/\(UUID().lowercasedString)/retry")
                    #expect(status == .notFound)
                    #expect(problem["code"] as? String == "dead_job_not_found")
                    let (badLimit, limitProblem) = try await client.json(.get, "/admin/dead?limit=0")
                    #expect(badLimit == .unprocessableContent)
                    #expect(limitProblem["code"] as? String == "validation_failed")
                }
            }
        }
    }
}
