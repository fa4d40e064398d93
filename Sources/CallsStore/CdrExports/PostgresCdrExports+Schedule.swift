import CallsCore
import Foundation
import PostgresNIO

/// The `exports` role's side: new CDR versions become pending deliveries, pending deliveries become batches,
/// and batches whose job Redis lost are found again.
extension PostgresCdrExports {
    /// The highest `change_seq` below which no CDR version can still appear. A sequence number is taken
    /// before its transaction commits, so a cursor that moved past a committed 11 could skip a 10 committed
    /// just after. Every `change_seq` is taken by a statement that writes `cdrs`, holding a ROW EXCLUSIVE lock
    /// until its transaction ends; a SHARE lock waits for them all, so once it is held every number up to the
    /// highest visible is committed or never will be. The lock is taken only when there is something past
    /// the `consumers`' cursors, and held for one statement; nil when writers keep it away longer than
    /// `lock_timeout` (the next pass tries again).
    public func settledChangeSeq(consumers: [String]) async throws -> Int64? {
        let logger = logger
        let (highest, lowestCursor) = try await client.bounded {
            let highest =
                try await client.query("SELECT coalesce(max(change_seq), 0) FROM cdrs", logger: logger)
                .decode(Int64.self).collectAll().first ?? 0
            let cursors = try await client.query(
                "SELECT consumer, change_seq FROM cdr_export_cursors WHERE consumer = ANY(\(consumers))", logger: logger
            ).decode((String, Int64).self).collectAll()
            let known = Dictionary(cursors, uniquingKeysWith: max)
            return (highest, consumers.map { known[$0] ?? 0 }.min() ?? highest)
        }
        // Nothing new since every cursor: numbers at or below a cursor were settled when it moved there.
        if highest <= lowestCursor { return highest }
        do {
            return try await client.withTransaction(deadlines: 1, logger: logger) { connection in
                _ = try await connection.query("SET LOCAL lock_timeout = '500ms'", logger: logger)
                _ = try await connection.query("LOCK TABLE cdrs IN SHARE MODE", logger: logger)
                for try await value in try await connection.query(
                    "SELECT coalesce(max(change_seq), 0) FROM cdrs", logger: logger
                ).decode(Int64.self) { return value }
                return 0
            }
        } catch let error as PostgresTransactionError {
            if let server = error.closureError as? PSQLError, server.serverInfo?[.sqlState] == "55P03" { return nil }
            throw error
        }
    }

    /// Schedules CDR versions with `change_seq` in (cursor, `upTo`] for `consumer`, at most `limit` of them,
    /// and moves its cursor past them; returns how many it looked at (`limit`: call again). A version newer
    /// than the one owed or sent makes the delivery pending again, detached from any batch in flight, so that
    /// batch cannot mark the newer version sent.
    public func schedule(consumer: String, upTo settled: Int64, limit: Int) async throws -> Int {
        let logger = logger
        return try await client.withTransaction(deadlines: 1, logger: logger) { connection in
            let cursor = try await Self.lockCursor(consumer, connection: connection, logger: logger)
            guard settled > cursor else { return 0 }
            let rows = try await connection.query(
                """
                WITH picked AS (
                    SELECT id, version, change_seq FROM cdrs
                    WHERE change_seq > \(cursor) AND change_seq <= \(settled)
                    ORDER BY change_seq LIMIT \(limit)
                ), owed AS (
                    INSERT INTO cdr_deliveries (cdr_id, consumer, status, version, pending_since)
                    SELECT id, \(consumer), 'pending', version, now() FROM picked
                    ON CONFLICT (cdr_id, consumer) DO UPDATE
                    SET status = 'pending', version = EXCLUDED.version, batch_id = NULL, attempts = 0, error = NULL,
                        pending_since = now(), updated_at = now()
                    WHERE cdr_deliveries.version < EXCLUDED.version
                    RETURNING 1
                )
                SELECT (SELECT count(*) FROM picked)::int8, (SELECT max(change_seq) FROM picked), (SELECT count(*) FROM owed)::int8
                """, logger: logger)
            var looked: Int64 = 0
            var highest: Int64?
            for try await (count, maximum, _) in rows.decode((Int64, Int64?, Int64).self) {
                looked = count
                highest = maximum
            }
            // A full chunk ends at its last number; otherwise everything up to `settled` was seen.
            let newCursor = looked == Int64(limit) ? (highest ?? cursor) : settled
            _ = try await connection.query(
                "UPDATE cdr_export_cursors SET change_seq = \(newCursor), updated_at = now() WHERE consumer = \(consumer)",
                logger: logger)
            return Int(looked)
        }
    }

    /// Forms the consumer's next batch from its pending deliveries, unless one is still queued (one batch of
    /// a consumer in flight at a time); nil when there is nothing to send or a batch is in flight. The records
    /// are encoded and kept now, so every retry sends the same body.
    public func formBatch(consumer: String, size: Int) async throws -> CdrExportBatchFormed? {
        let logger = logger
        return try await client.withTransaction(deadlines: 1, logger: logger) { connection in
            _ = try await Self.lockCursor(consumer, connection: connection, logger: logger)
            for try await _ in try await connection.query(
                "SELECT 1 FROM cdr_export_batches WHERE consumer = \(consumer) AND status = 'queued'", logger: logger)
            {
                return nil
            }
            var records: [CallDetailRecord] = []
            for try await row in try await connection.query(
                """
                SELECT \(unescaped: CdrRow.columns)
                FROM cdr_deliveries x JOIN cdrs d ON d.id = x.cdr_id
                WHERE x.consumer = \(consumer) AND x.status = 'pending' AND x.batch_id IS NULL
                ORDER BY x.cdr_id LIMIT \(size)
                """, logger: logger)
            {
                records.append(try CdrRow.decode(row))
            }
            guard !records.isEmpty else { return nil }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let json = try records.map { String(decoding: try encoder.encode($0.consumerRecord), as: UTF8.self) }
            let id = UUID()
            _ = try await connection.query(
                "INSERT INTO cdr_export_batches (id, consumer) VALUES (\(id), \(consumer))", logger: logger)
            _ = try await connection.query(
                """
                INSERT INTO cdr_export_items (batch_id, position, cdr_id, version, record)
                SELECT \(id), i.position, i.cdr_id, i.version, i.record
                FROM unnest(\(Array(records.indices)), \(records.map(\.id)), \(records.map(\.version)), \(json))
                     AS i(position, cdr_id, version, record)
                """, logger: logger)
            // The version sent is the one read now: a rebuild since it was scheduled is sent already, and its
            // scheduling later finds the delivery up to date.
            _ = try await connection.query(
                """
                UPDATE cdr_deliveries x SET batch_id = \(id), version = i.version, updated_at = now()
                FROM unnest(\(records.map(\.id)), \(records.map(\.version))) AS i(cdr_id, version)
                WHERE x.cdr_id = i.cdr_id AND x.consumer = \(consumer)
                """, logger: logger)
            return CdrExportBatchFormed(id: id, consumer: consumer, records: records.count)
        }
    }

    /// Queued batches no live lease protects that have not changed for `olderThan`: their job may be lost
    /// (Redis flushed, or the process died between commit and push). The caller pushes those Redis does not
    /// hold; a duplicate push is harmless (its claim finds the batch leased or done).
    public func unprotectedBatches(olderThan: Duration, limit: Int) async throws -> [UUID] {
        try await client.query(
            """
            SELECT id FROM cdr_export_batches
            WHERE status = 'queued' AND (lease_expires_at IS NULL OR lease_expires_at < now())
              AND updated_at < now() - make_interval(secs => \(olderThan.secondsValue))
            ORDER BY updated_at LIMIT \(limit)
            """, logger: logger
        ).decode(UUID.self).collectAll()
    }

    /// Pending deliveries per consumer, for the gauge.
    public func pendingCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for (consumer, count) in try await client.query(
            "SELECT consumer, count(*)::int8 FROM cdr_deliveries WHERE status = 'pending' GROUP BY consumer", logger: logger
        ).decode((String, Int64).self).collectAll() {
            counts[consumer] = Int(count)
        }
        return counts
    }

    /// The consumer's cursor, created at 0 on first sight, locked for the transaction: scheduling and
    /// batching of one consumer take turns across processes.
    static func lockCursor(_ consumer: String, connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        _ = try await connection.query(
            "INSERT INTO cdr_export_cursors (consumer) VALUES (\(consumer)) ON CONFLICT (consumer) DO NOTHING", logger: logger)
        for try await value in try await connection.query(
            "SELECT change_seq FROM cdr_export_cursors WHERE consumer = \(consumer) FOR UPDATE", logger: logger
        ).decode(Int64.self) { return value }
        throw PostgresStoreError("the export cursor of '\(consumer)' vanished")
    }
}

extension Duration {
    /// Whole and fractional seconds, for `make_interval`.
    var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
