import CallsCore
import Foundation
import PostgresNIO
import TestSupport
import Testing

extension IntegrationSuite {
    @Suite struct QueueOutageTests {
        @Test func anUploadAcceptedWhileRedisIsDownIsProcessedOnceItIsBack() async throws {
            try await RedisServerProcess.withPrivateServer { redis in

                try await Stack.withMigrated(redis: RedisURL(string: redis.url)) { stack, url in
                    try await stack.withWorker { () async throws -> Void in
                        try await stack.withAPI { client in
                            await redis.stop()
                            let id = try await client.createCall()
                            let body = CallFlowTests.multipart(CallFlowTests.dialogue())
                            let (status, _) = try await streamUpload(port: client.port!, callID: id, body: body, chunkSize: 65_536)
                            #expect(status == 202, "the upload is committed even though the queue is down")
                            let pending = try await TestServices.withPostgres(url) { postgres in
                                try await postgres.query("SELECT payload FROM outbox", logger: TestServices.logger)
                                    .decode(String.self).collectAll()
                            }
                            #expect(pending == ["analyze:\(id)"])
                            let waiting = try await client.call(id)
                            #expect(waiting.status == .processing)

                            try await redis.start()
                            let call = try await client.waitForFinalStatus(id, seconds: 45)
                            #expect(call.status == .ready, "\(call)")
                        }
                    }
                }
            }
        }
    }
}

extension IntegrationSuite.QueueOutageTests {
    @Test func aBatchSurvivesRedisBeingKilledAndRestarted() async throws {
        try await RedisServerProcess.withPrivateServer { redis in
            try await Stack.withMigrated(redis: RedisURL(string: redis.url)) { stack, url in
                try await stack.withWorker { () async throws -> Void in
                    try await stack.withAPI { client in
                        let body = IntegrationSuite.CallFlowTests.multipart(IntegrationSuite.CallFlowTests.dialogue())
                        var ids: [String] = []
                        for index in 0..<12 {
                            // Crash Redis a third of the way in; uploads go on into the outbox; bring it back later.
                            if index == 4 { await redis.kill() }
                            if index == 8 { try await redis.start() }
                            let id = try await client.createCall()
                            let (status, _) = try await streamUpload(port: client.port!, callID: id, body: body, chunkSize: 65_536)
                            #expect(status == 202)
                            ids.append(id)
                        }
                        for id in ids {
                            let call = try await client.waitForFinalStatus(id, seconds: 60)
                            #expect(call.status == .ready, "\(id): \(call)")
                        }
                    }
                }
                let counts = try await TestServices.withPostgres(url) { client in
                    try await client.query(
                        "SELECT count(*) FROM recordings WHERE duration_ms IS NOT NULL", logger: TestServices.logger
                    ).decode(Int.self).collectAll()
                }
                #expect(counts == [12], "every upload analysed exactly once into its one recording row")
            }
        }
    }
}
