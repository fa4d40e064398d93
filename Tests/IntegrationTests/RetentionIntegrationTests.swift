@testable import CallsAPI
import CallsStore
import Foundation
import JobQueue
import Logging
import PostgresNIO
import RecordingStorage
import TestSupport
import Testing

extension IntegrationSuite {
    @Suite struct RetentionIntegrationTests {
        @Test func callsPastTheRetentionAreDeletedAndCounted() async throws {
            try await Stack.withMigrated { stack, url in
                let (redis, queue) = stack.makeQueue()
                try await stack.withAPI { client in
                    for _ in 0..<3 {
                        _ = try await client.uploadedCall()
                    }
                }
                let before = Self.deletedCount()
                try await TestServices.withPostgres(url) { postgres in
                    let ids = try await postgres.query("SELECT id FROM calls ORDER BY created_at", logger: TestServices.logger)
                        .decode(UUID.self).collectAll()
                    // Two calls made 40 days ago, one today.
                    for id in ids.prefix(2) {
                        _ = try await postgres.query(
                            "UPDATE calls SET created_at = now() - interval '40 days' WHERE id = \(id)", logger: TestServices.logger)
                    }
                    let pool = NIOThreadPool(numberOfThreads: 1)
                    pool.start()
                    let store = try LocalRecordingStore(root: stack.recordings.path, ioPool: pool)
                    let retention = RetentionService(
                        calls: PostgresCallRepository(client: postgres, logger: TestServices.logger), queue: queue,
                        store: store, days: 30, logger: TestServices.logger)
                    #expect(try await retention.purge(now: Date()) == 2)
                    #expect(try await retention.purge(now: Date()) == 0)
                    try await pool.shutdownGracefully()

                    let left = try await postgres.query("SELECT id FROM calls", logger: TestServices.logger)
                        .decode(UUID.self).collectAll()
                    #expect(left == [ids[2]])
                }
                #expect(stack.recordings.files().filter { !$0.hasPrefix(".") }.count == 1)
                #expect(try await queue.readyCount() == 1)
                #expect(Self.deletedCount() - before == 2)
                await redis.shutdown()
            }
        }

        /// `calls_retention_deleted_total` as the process' metrics registry has it now.
        static func deletedCount() -> Int {
            let text = testMetricsRegistry.emitToString()
            let line = text.split(separator: "\n").first { $0.hasPrefix("calls_retention_deleted_total ") }
            return line.flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) } ?? 0
        }
    }
}
