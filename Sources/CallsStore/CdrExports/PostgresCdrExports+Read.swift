import Foundation
import PostgresNIO

/// What the API shows of exports, and the operator's retry.
extension PostgresCdrExports {
    /// The CDR's current version and its delivery to every consumer; nil when there is no such CDR.
    public func deliveries(cdrID: Int64) async throws -> (version: Int, deliveries: [CdrDelivery])? {
        try await client.bounded {
            guard
                let version = try await client.query("SELECT version FROM cdrs WHERE id = \(cdrID)", logger: logger)
                    .decode(Int.self).collectAll().first
            else { return nil }
            let rows = try await client.query(
                """
                SELECT consumer, status, version, attempts, error, sent_at, sent_version
                FROM cdr_deliveries WHERE cdr_id = \(cdrID) ORDER BY consumer
                """, logger: logger
            ).decode((String, String, Int, Int, String?, Date?, Int?).self).collectAll()
            return (
                version,
                rows.map {
                    CdrDelivery(
                        consumer: $0.0, status: $0.1, version: $0.2, attempts: $0.3, error: $0.4, sentAt: $0.5, sentVersion: $0.6)
                }
            )
        }
    }

    /// Every consumer an `exports` worker has scheduled for, with its counts.
    public func consumerStates() async throws -> [CdrExportConsumerState] {
        try await client.query(
            """
            SELECT c.consumer, c.change_seq,
                   (SELECT count(*) FROM cdr_deliveries x WHERE x.consumer = c.consumer AND x.status = 'pending')::int8,
                   (SELECT count(*) FROM cdr_deliveries x WHERE x.consumer = c.consumer AND x.status = 'sent')::int8,
                   (SELECT count(*) FROM cdr_deliveries x WHERE x.consumer = c.consumer AND x.status = 'failed')::int8,
                   (SELECT min(pending_since) FROM cdr_deliveries x WHERE x.consumer = c.consumer AND x.status = 'pending'),
                   (SELECT count(*) FROM cdr_export_batches b WHERE b.consumer = c.consumer AND b.status = 'dead')::int8
            FROM cdr_export_cursors c ORDER BY c.consumer
            """, logger: logger
        ).decode((String, Int64, Int64, Int64, Int64, Date?, Int64).self).collectAll().map {
            CdrExportConsumerState(
                consumer: $0.0, cursor: $0.1, pending: Int($0.2), sent: Int($0.3), failed: Int($0.4), oldestPendingSince: $0.5,
                deadBatches: Int($0.6))
        }
    }

    /// Puts the consumer's failed deliveries (dead-lettered or rejected) back to pending with fresh attempts,
    /// and closes its dead batches; nil when no `exports` worker ever scheduled for that consumer.
    public func retryFailed(consumer: String) async throws -> CdrExportRetry? {
        let logger = logger
        return try await client.withTransaction(deadlines: 1, logger: logger) { connection in
            var known = false
            for try await _ in try await connection.query(
                "SELECT 1 FROM cdr_export_cursors WHERE consumer = \(consumer) FOR UPDATE", logger: logger)
            { known = true }
            guard known else { return nil }
            var requeued = 0
            for try await _ in try await connection.query(
                """
                UPDATE cdr_deliveries SET status = 'pending', batch_id = NULL, attempts = 0, error = NULL,
                                          pending_since = now(), updated_at = now()
                WHERE consumer = \(consumer) AND status = 'failed'
                RETURNING cdr_id
                """, logger: logger)
            { requeued += 1 }
            var closed: [UUID] = []
            for try await id in try await connection.query(
                """
                UPDATE cdr_export_batches SET status = 'done', updated_at = now()
                WHERE consumer = \(consumer) AND status = 'dead'
                RETURNING id
                """, logger: logger
            ).decode(UUID.self) { closed.append(id) }
            return CdrExportRetry(requeued: requeued, closedBatches: closed)
        }
    }
}
