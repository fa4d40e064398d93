import CallsCore
import Foundation
import JobQueue
import PostgresNIO
import S3Client
import TestSupport
import Testing

extension IntegrationSuite {
    /// DELETE against the real database, queue and both stores: nothing of the call is left anywhere.
    @Suite struct DeleteCallIntegrationTests {
        @Test(arguments: TestStorage.allCases)
        func deletingAQueuedCallLeavesNoRowNoJobAndNoStoredObject(storage: TestStorage) async throws {
            try await Stack.withMigrated(storage: storage) { stack, url, bucket in
                let (redis, queue) = stack.makeQueue()
                try await stack.withAPI { client in
                    let id = try await client.uploadedCall()
                    let key = try #require(try await Self.storageKey(of: id, url: url))
                    if let bucket {
                        #expect(try await bucket.headObject(key: key) != nil)
                    } else {
                        #expect(FileManager.default.fileExists(atPath: stack.recordings.path + "/" + key))
                    }
                    #expect(try await queue.readyCount() == 1)

                    #expect(try await client.json(.delete, "/calls/\(id)").0 == .noContent)
                    #expect(try await client.json(.get, "/calls/\(id)").0 == .notFound)
                    #expect(try await client.json(.delete, "/calls/\(id)").0 == .noContent)

                    if let bucket {
                        #expect(try await bucket.headObject(key: key) == nil)
                    } else {
                        #expect(!FileManager.default.fileExists(atPath: stack.recordings.path + "/" + key))
                    }
                    #expect(try await queue.readyCount() == 0)
                    #expect(try await redis.command("EXISTS", queue.keys.job("analyze:\(id)")) == .integer(0))
                    let rows = try await TestServices.withPostgres(url) { postgres in
                        try await postgres.query(
                            """
                            SELECT (SELECT count(*) FROM calls) + (SELECT count(*) FROM recordings) + (SELECT count(*) FROM outbox)
                            """, logger: TestServices.logger
                        ).decode(Int.self).collectAll()
                    }
                    #expect(rows == [0])
                }
                await redis.shutdown()
            }
        }

        static func storageKey(of id: String, url: DatabaseURL) async throws -> String? {
            try await TestServices.withPostgres(url) { postgres in
                try await postgres.query(
                    "SELECT storage_key FROM recordings WHERE call_id = \(UUID(uuidString: id)!)", logger: TestServices.logger
                ).decode(String.self).collectAll().first
            }
        }
    }
}
