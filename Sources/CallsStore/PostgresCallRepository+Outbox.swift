import Foundation
import PostgresNIO

extension PostgresCallRepository {
    public func remove(entryIDs: [Int64]) async throws {
        guard !entryIDs.isEmpty else { return }
        _ = try await client.query("DELETE FROM outbox WHERE id = ANY(\(entryIDs))", logger: logger)
    }

    public func relay(
        olderThan minimumAge: Duration, limit: Int, publish: @Sendable @escaping ([String]) async throws -> Void
    ) async throws -> Int {
        let seconds = Double(minimumAge.components.seconds) + Double(minimumAge.components.attoseconds) / 1e18
        return try await client.withTransaction(deadlines: 6, logger: logger) { connection in
            var entries: [(Int64, String)] = []
            for try await entry in try await connection.query(
                """
                SELECT id, payload FROM outbox
                WHERE created_at < now() - make_interval(secs => \(seconds))
                ORDER BY id
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
                """, logger: logger
            ).decode((Int64, String).self) {
                entries.append(entry)
            }
            guard !entries.isEmpty else { return 0 }
            try await publish(entries.map(\.1))
            let ids = entries.map(\.0)
            _ = try await connection.query("DELETE FROM outbox WHERE id = ANY(\(ids))", logger: logger)
            return entries.count
        }
    }
}
