import Foundation
import PostgresNIO

/// The export job's side: claim a batch with a lease, read its records, record what each part's answer
/// settled, and finish or give the batch up. Every write after the claim is fenced by its token.
extension PostgresCdrExports {
    /// A worker may claim again what it holds (an outage interrupted it and it retries in place).
    public func claim(batchID: UUID, worker: String, leaseSeconds: Int) async throws -> CdrExportClaimResult {
        try await client.bounded {
            let claimed = try await client.query(
                """
                UPDATE cdr_export_batches
                SET lease_token = lease_token + 1, lease_owner = \(worker),
                    lease_expires_at = now() + make_interval(secs => \(Double(leaseSeconds))), updated_at = now()
                WHERE id = \(batchID) AND status = 'queued'
                  AND (lease_expires_at IS NULL OR lease_expires_at < now() OR lease_owner = \(worker))
                RETURNING consumer, lease_token, attempts
                """, logger: logger
            ).decode((String, Int64, Int).self).collectAll()
            if let (consumer, token, attempts) = claimed.first {
                return .claimed(CdrExportClaim(batchID: batchID, consumer: consumer, leaseToken: token, attempts: attempts))
            }
            let queued = try await client.query(
                "SELECT 1 FROM cdr_export_batches WHERE id = \(batchID) AND status = 'queued'", logger: logger
            ).collect()
            return queued.isEmpty ? .nothingToDo("no export due for this batch") : .leasedByAnother
        }
    }

    /// Keeps the lease for another `leaseSeconds` (before each POST of a split batch); false when fenced off.
    public func renew(_ claim: CdrExportClaim, leaseSeconds: Int) async throws -> Bool {
        try await !client.query(
            """
            UPDATE cdr_export_batches SET lease_expires_at = now() + make_interval(secs => \(Double(leaseSeconds)))
            WHERE id = \(claim.batchID) AND status = 'queued' AND lease_token = \(claim.leaseToken)
            RETURNING id
            """, logger: logger
        ).collect().isEmpty
    }

    /// The batch's records in body order.
    public func items(of batchID: UUID) async throws -> [CdrExportItem] {
        try await client.query(
            """
            SELECT position, cdr_id, version, record FROM cdr_export_items WHERE batch_id = \(batchID) ORDER BY position
            """, logger: logger
        ).decode((Int, Int64, Int, String).self).collectAll().map {
            CdrExportItem(position: $0.0, cdrID: $0.1, version: $0.2, record: $0.3)
        }
    }

    /// Records a part's answer: `accepted` sent, `rejected` failed with the consumer's answer. Only deliveries
    /// still carried by this batch at the version it sent change (a newer version has detached them). False
    /// when fenced off.
    public func settle(
        _ claim: CdrExportClaim, accepted: [CdrExportItem], rejected: [CdrExportItem], reason: String
    ) async throws -> Bool {
        let logger = logger
        return try await client.withTransaction(deadlines: 1, logger: logger) { connection in
            guard try await Self.holds(claim, connection: connection, logger: logger) else { return false }
            for (items, sent) in [(accepted, true), (rejected, false)] where !items.isEmpty {
                _ = try await connection.query(
                    """
                    UPDATE cdr_deliveries x
                    SET status = CASE WHEN \(sent) THEN 'sent' ELSE 'failed' END, attempts = x.attempts + 1,
                        error = CASE WHEN \(sent) THEN NULL ELSE \(reason) END,
                        sent_at = CASE WHEN \(sent) THEN now() ELSE x.sent_at END,
                        sent_version = CASE WHEN \(sent) THEN i.version ELSE x.sent_version END,
                        pending_since = NULL, updated_at = now()
                    FROM unnest(\(items.map(\.cdrID)), \(items.map(\.version))) AS i(cdr_id, version)
                    WHERE x.cdr_id = i.cdr_id AND x.consumer = \(claim.consumer) AND x.batch_id = \(claim.batchID)
                      AND x.version = i.version AND x.status = 'pending'
                    """, logger: logger)
            }
            return true
        }
    }

    /// Every record was answered for: the batch is done. False when fenced off.
    public func finish(_ claim: CdrExportClaim) async throws -> Bool {
        try await !client.query(
            """
            UPDATE cdr_export_batches SET status = 'done', error = NULL, lease_owner = NULL, lease_expires_at = NULL,
                                          updated_at = now()
            WHERE id = \(claim.batchID) AND status = 'queued' AND lease_token = \(claim.leaseToken)
            RETURNING id
            """, logger: logger
        ).collect().isEmpty
    }

    /// This attempt failed (a retryable answer or none): counted on the batch and on the deliveries it still
    /// carries; when `givingUp`, the batch is dead and those deliveries failed with `reason`. False when
    /// fenced off.
    public func recordFailure(_ claim: CdrExportClaim, reason: String, givingUp: Bool) async throws -> Bool {
        let logger = logger
        return try await client.withTransaction(deadlines: 1, logger: logger) { connection in
            guard try await Self.holds(claim, connection: connection, logger: logger) else { return false }
            try await Self.fail(
                batchID: claim.batchID, reason: reason, givingUp: givingUp, countingAttempt: true, connection: connection,
                logger: logger)
            return true
        }
    }

    /// Gives up a batch no live lease protects (its job was dead-lettered without finishing: it kept taking
    /// its worker down). Moves the token on, so an older claim records nothing after it.
    public func failUnclaimed(batchID: UUID, reason: String) async throws -> Bool {
        let logger = logger
        return try await client.withTransaction(deadlines: 1, logger: logger) { connection in
            var free = false
            for try await _ in try await connection.query(
                """
                UPDATE cdr_export_batches SET lease_token = lease_token + 1
                WHERE id = \(batchID) AND status = 'queued' AND (lease_expires_at IS NULL OR lease_expires_at < now())
                RETURNING id
                """, logger: logger)
            { free = true }
            guard free else { return false }
            try await Self.fail(
                batchID: batchID, reason: reason, givingUp: true, countingAttempt: false, connection: connection, logger: logger)
            return true
        }
    }

    /// Gives back the lease `worker` holds, whatever its token. False when it held none.
    public func releaseHeld(batchID: UUID, worker: String) async throws -> Bool {
        try await !client.query(
            """
            UPDATE cdr_export_batches SET lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
            WHERE id = \(batchID) AND status = 'queued' AND lease_owner = \(worker)
            RETURNING id
            """, logger: logger
        ).collect().isEmpty
    }

    /// The batch's consumer is no longer configured: the batch is closed and its deliveries wait, pending,
    /// for the consumer to return.
    public func abandonForUnknownConsumer(_ claim: CdrExportClaim) async throws -> Bool {
        let logger = logger
        return try await client.withTransaction(deadlines: 1, logger: logger) { connection in
            guard try await Self.holds(claim, connection: connection, logger: logger) else { return false }
            _ = try await connection.query(
                "UPDATE cdr_deliveries SET batch_id = NULL, updated_at = now() WHERE batch_id = \(claim.batchID)", logger: logger)
            _ = try await connection.query(
                """
                UPDATE cdr_export_batches SET status = 'done', error = 'consumer no longer configured', lease_owner = NULL,
                                              lease_expires_at = NULL, updated_at = now()
                WHERE id = \(claim.batchID)
                """, logger: logger)
            return true
        }
    }

    /// Locks the batch's row while `claim` is still its lease.
    static func holds(_ claim: CdrExportClaim, connection: PostgresConnection, logger: Logger) async throws -> Bool {
        for try await _ in try await connection.query(
            """
            SELECT 1 FROM cdr_export_batches
            WHERE id = \(claim.batchID) AND status = 'queued' AND lease_token = \(claim.leaseToken) FOR UPDATE
            """, logger: logger)
        {
            return true
        }
        return false
    }

    static func fail(
        batchID: UUID, reason: String, givingUp: Bool, countingAttempt: Bool, connection: PostgresConnection, logger: Logger
    ) async throws {
        _ = try await connection.query(
            """
            UPDATE cdr_deliveries
            SET attempts = attempts + CASE WHEN \(countingAttempt) THEN 1 ELSE 0 END, error = \(reason),
                status = CASE WHEN \(givingUp) THEN 'failed' ELSE 'pending' END,
                pending_since = CASE WHEN \(givingUp) THEN NULL ELSE pending_since END, updated_at = now()
            WHERE batch_id = \(batchID) AND status = 'pending'
            """, logger: logger)
        _ = try await connection.query(
            """
            UPDATE cdr_export_batches
            SET attempts = attempts + CASE WHEN \(countingAttempt) THEN 1 ELSE 0 END, error = \(reason),
                status = CASE WHEN \(givingUp) THEN 'dead' ELSE 'queued' END,
                lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
            WHERE id = \(batchID)
            """, logger: logger)
    }
}
