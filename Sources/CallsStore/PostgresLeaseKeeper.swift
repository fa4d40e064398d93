import CallsCore
import Foundation
import Logging
import PostgresNIO

/// `LeaseKeeper` over PostgreSQL: the leases of analyses and callbacks live on the call's row, those of
/// archives on `recording_archives`.
public struct PostgresLeaseKeeper: LeaseKeeper {
    let client: DatabaseClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger, deadline: Duration? = DatabaseDeadline.defaultLimit) {
        self.client = DatabaseClient(client, deadline: deadline)
        self.logger = logger
    }

    public func oldestUnfinishedAge() async throws -> Duration? {
        let ages = try await client.query(
            "SELECT EXTRACT(EPOCH FROM now() - min(updated_at))::float8 FROM calls WHERE status = 'processing'",
            logger: logger
        ).decode(Double?.self).collectAll()
        return ages.first.flatMap { $0 }.map { .milliseconds(Int64($0 * 1000)) }
    }

    public func extendLeases(worker: String, leaseSeconds: Int) async throws -> Int {
        let counts = try await client.query(
            """
            WITH archives AS (
                UPDATE recording_archives SET lease_expires_at = now() + make_interval(secs => \(Double(leaseSeconds)))
                WHERE lease_owner = \(worker) AND status = 'archiving'
                RETURNING 1
            ), owned_calls AS (
                -- Analyses and callback deliveries in one statement: a row is updated once per statement.
                UPDATE calls
                SET lease_expires_at = CASE WHEN lease_owner = \(worker) AND status = 'processing'
                        THEN now() + make_interval(secs => \(Double(leaseSeconds))) ELSE lease_expires_at END,
                    callback_lease_expires_at = CASE WHEN callback_lease_owner = \(worker) AND callback_status = 'pending'
                        THEN now() + make_interval(secs => \(Double(leaseSeconds))) ELSE callback_lease_expires_at END
                WHERE (lease_owner = \(worker) AND status = 'processing')
                   OR (callback_lease_owner = \(worker) AND callback_status = 'pending')
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM archives) + (SELECT count(*) FROM owned_calls)
            """, logger: logger
        ).decode(Int.self).collectAll()
        return counts.first ?? 0
    }

    public func expireLeases(workers: [String]) async throws -> Int {
        guard !workers.isEmpty else { return 0 }
        let counts = try await client.query(
            """
            WITH archives AS (
                UPDATE recording_archives SET lease_expires_at = now()
                WHERE lease_owner = ANY(\(workers)) AND status = 'archiving'
                RETURNING 1
            ), owned_calls AS (
                UPDATE calls
                SET lease_expires_at = CASE WHEN lease_owner = ANY(\(workers)) AND status = 'processing'
                        THEN now() ELSE lease_expires_at END,
                    callback_lease_expires_at = CASE WHEN callback_lease_owner = ANY(\(workers)) AND callback_status = 'pending'
                        THEN now() ELSE callback_lease_expires_at END
                WHERE (lease_owner = ANY(\(workers)) AND status = 'processing')
                   OR (callback_lease_owner = ANY(\(workers)) AND callback_status = 'pending')
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM archives) + (SELECT count(*) FROM owned_calls)
            """, logger: logger
        ).decode(Int.self).collectAll()
        return counts.first ?? 0
    }

    public func stalledWork(unclaimedFor: Duration, limit: Int) async throws -> StalledWork {
        let seconds = Double(unclaimedFor.components.seconds)
        return try await client.bounded {
            StalledWork(
                analyses: try await stalledAnalyses(unclaimedFor: seconds, limit: limit),
                archives: try await stalledArchives(unclaimedFor: seconds, limit: limit),
                callbacks: try await stalledCallbacks(unclaimedFor: seconds, limit: limit))
        }
    }

    private func stalledAnalyses(unclaimedFor seconds: Double, limit: Int) async throws -> [UUID] {
        try await client.query(
            """
            SELECT c.id FROM calls c JOIN recordings r ON r.call_id = c.id
            WHERE c.status = 'processing'
              AND (c.lease_expires_at < now()
                   OR (c.lease_expires_at IS NULL AND c.updated_at < now() - make_interval(secs => \(seconds))))
              AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.call_id = c.id)
            ORDER BY c.updated_at
            LIMIT \(limit)
            """, logger: logger
        ).decode(UUID.self).collectAll()
    }

    private func stalledArchives(unclaimedFor seconds: Double, limit: Int) async throws -> [UUID] {
        try await client.query(
            """
            SELECT call_id FROM recording_archives
            WHERE status IN ('pending', 'archiving')
              AND (lease_expires_at < now()
                   OR (lease_expires_at IS NULL AND updated_at < now() - make_interval(secs => \(seconds))))
            ORDER BY updated_at
            LIMIT \(limit)
            """, logger: logger
        ).decode(UUID.self).collectAll()
    }

    /// Pending callbacks untouched for `unclaimedFor` and not leased: due, but maybe lost with Redis' data.
    private func stalledCallbacks(unclaimedFor seconds: Double, limit: Int) async throws -> [UUID] {
        try await client.query(
            """
            SELECT id FROM calls
            WHERE callback_status = 'pending' AND callback_updated_at < now() - make_interval(secs => \(seconds))
              AND (callback_lease_expires_at IS NULL OR callback_lease_expires_at < now())
            ORDER BY callback_updated_at
            LIMIT \(limit)
            """, logger: logger
        ).decode(UUID.self).collectAll()
    }
}
