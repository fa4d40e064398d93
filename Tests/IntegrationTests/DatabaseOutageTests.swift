import CallsCore
import CallsStore
import Foundation
import JobQueue
import PostgresNIO
import TestSupport
import Testing

extension IntegrationSuite {
    /// PostgreSQL stopped for a few seconds under a queue of work: the API says 503 with Retry-After, the
    /// worker waits, and when the database is back every job finishes on its first attempt.
    @Suite struct DatabaseOutageTests {
        @Test func aDatabaseOutageLosesNothingAndBurnsNoAttempt() async throws {
            try await PostgresServerProcess.withPrivateServer { postgresServer in
                let url = postgresServer.url
                _ = try await TestServices.withPostgres(url) { client in
                    try await Migrator(client: client, directory: "migrations", logger: TestServices.logger).migrate()
                }
                let stack = try Stack.make(database: url)
                defer { stack.recordings.remove() }
                let (redis, queue) = stack.makeQueue()
                try await stack.withAPI { client in
                    let body = CallFlowTests.multipart(CallFlowTests.dialogue())
                    var uploaded: [String] = []
                    for _ in 0..<6 {
                        let id = try await client.createCall()
                        #expect(try await streamUpload(port: client.port!, callID: id, body: body, chunkSize: 65_536).0 == 202)
                        uploaded.append(id)
                    }
                    let ids = uploaded
                    let unuploaded = try await client.createCall()
                    let storedBefore = stack.recordings.files()

                    await postgresServer.stop()
                    let (createStatus, problem) = try await client.json(
                        .post, "/calls",
                        """
                        {"caller": "+100", "receiver": "+200", "started_at": "2026-11-21T09:30:00Z"}
                        """)
                    #expect(createStatus == .serviceUnavailable)
                    #expect(problem.problem?.code == "database_unavailable")
                    try await client.execute(uri: "/calls/\(ids[0])", method: .get) { response in
                        #expect(response.status == .serviceUnavailable)
                        #expect(response.headers[.retryAfter] == "5")
                    }
                    let (uploadStatus, uploadProblem) = try await streamUpload(
                        port: client.port!, callID: unuploaded, body: body, chunkSize: 65_536)
                    #expect(uploadStatus == 503)
                    #expect(uploadProblem.problem?.code == "database_unavailable")
                    #expect(stack.recordings.files() == storedBefore, "the refused upload left no file behind")

                    try await stack.withWorker { () async throws -> Void in
                        // The worker takes jobs while the database is away; each claim fails and is retried in place.
                        #expect(try await waitUntil(within: 10) { try await queue.readyCount() < ids.count })
                        try await Task.sleep(for: .seconds(3))
                        try await postgresServer.start()
                        for id in ids {
                            let call = try await client.waitForFinalStatus(id, seconds: 60)
                            #expect(call.status == .ready, "\(id): \(call)")
                        }
                    }
                }
                let attempts = try await TestServices.withPostgres(url) { client in
                    try await client.query("SELECT attempts FROM calls WHERE status = 'ready'", logger: TestServices.logger)
                        .decode(Int.self).collectAll()
                }
                #expect(attempts == Array(repeating: 1, count: 6), "the outage spent no attempt")
                #expect(try await queue.deadPayloads().isEmpty)
                #expect(try await queue.delayedPayloads().isEmpty)
                await redis.shutdown()
            }
        }
    }
}
