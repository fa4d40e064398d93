import CallsCore
import Foundation
import PostgresNIO
import TestSupport
import Testing

extension IntegrationSuite {
    @Suite struct QueueOutageTests {
        @Test func anUploadAcceptedWhileRedisIsDownIsProcessedOnceItIsBack() async throws {
            let redisDirectory = try TemporaryDirectory()
            defer { redisDirectory.remove() }
            let redis = try RedisServerProcess(directory: redisDirectory.path)
            try await redis.start()

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
                        let (_, waiting) = try await client.json(.get, "/calls/\(id)")
                        #expect(waiting["status"] as? String == "processing")

                        try await redis.start()
                        let call = try await client.waitForFinalStatus(id, seconds: 45)
                        #expect(call["status"] as? String == "ready", "\(call)")
                    }
                }
            }
            await redis.stop()
        }
    }
}
