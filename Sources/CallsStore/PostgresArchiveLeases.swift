import CallsCore
import Foundation
import Logging
import PostgresNIO

/// `ArchiveLeases` over PostgreSQL.
public struct PostgresArchiveLeases: ArchiveLeases {
    let client: DatabaseClient
    let logger: Logger
    public let removingOriginals: Bool

    public init(
        client: PostgresClient, logger: Logger, removingOriginals: Bool, deadline: Duration? = DatabaseDeadline.defaultLimit
    ) {
        self.client = DatabaseClient(client, deadline: deadline)
        self.logger = logger
        self.removingOriginals = removingOriginals
    }

    public func claim(callID: UUID, worker: String, leaseSeconds: Int) async throws -> ClaimResult<ArchiveClaim> {
        try await client.bounded { try await claimUnbounded(callID: callID, worker: worker, leaseSeconds: leaseSeconds) }
    }

    private func claimUnbounded(callID: UUID, worker: String, leaseSeconds: Int) async throws -> ClaimResult<ArchiveClaim> {
        let claimed = try await client.query(
            """
            UPDATE recording_archives a
            SET status = 'archiving', lease_token = a.lease_token + 1, lease_owner = \(worker),
                lease_expires_at = now() + make_interval(secs => \(Double(leaseSeconds))),
                attempts = a.attempts + CASE WHEN a.lease_owner = \(worker) AND a.lease_expires_at >= now() THEN 0 ELSE 1 END,
                updated_at = now()
            FROM recordings r
            WHERE a.call_id = \(callID) AND r.id = a.recording_id
              AND a.status IN ('pending', 'archiving')
              AND (a.lease_expires_at IS NULL OR a.lease_expires_at < now() OR a.lease_owner = \(worker))
            RETURNING a.lease_token, a.recording_id, r.storage_key, a.attempts
            """, logger: logger
        ).decode((Int64, UUID, String, Int).self).collectAll()
        if let (token, recordingID, key, attempts) = claimed.first {
            return .claimed(
                ArchiveClaim(
                    callID: callID, recordingID: recordingID, leaseToken: token, originalKey: key, attempts: attempts))
        }
        let states = try await client.query(
            """
            SELECT a.status, r.storage_key, r.original_kept
            FROM recording_archives a JOIN recordings r ON r.id = a.recording_id
            WHERE a.call_id = \(callID)
            """, logger: logger
        ).decode((String, String, Bool).self).collectAll()
        guard let (status, originalKey, originalKept) = states.first else {
            return .nothingToDo("call or recording no longer exists")
        }
        switch RecordingArchive.Status(rawValue: status) {
        // A removal of the original cut short by a crash is finished by the next delivery.
        case .done: return .nothingToDo("already archived", leftoverObject: originalKept ? nil : originalKey)
        case .failed: return .nothingToDo("archive already given up")
        default: return .leasedByAnother
        }
    }

    /// The fence, here and in `fail` and `release`: the archive changes only while the claim's token is still
    /// its token. The archive's fields and the original's removal are one statement, so they commit together.
    public func complete(_ claim: ArchiveClaim, with file: ArchivedFile) async throws -> WorkCommit {
        let rows = try await client.query(
            """
            WITH call AS (
                -- Waits for a DELETE of the call in progress (see `PostgresCallRepository.delete`).
                SELECT id FROM calls WHERE id = \(claim.callID) FOR KEY SHARE
            ), done AS (
                UPDATE recording_archives
                SET status = 'done', storage_key = \(file.storageKey), format = 'mp3', bitrate_kbps = \(file.bitrateKbps),
                    bitrate_mode = \(file.bitrateMode.rawValue), size_bytes = \(file.sizeBytes), sha256 = \(file.sha256),
                    error = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
                WHERE call_id IN (SELECT id FROM call) AND lease_token = \(claim.leaseToken) AND status = 'archiving'
                RETURNING recording_id
            ), original AS (
                UPDATE recordings SET original_kept = false, updated_at = now()
                WHERE \(removingOriginals) AND id IN (SELECT recording_id FROM done)
            )
            SELECT EXISTS (SELECT 1 FROM done), EXISTS (SELECT 1 FROM call)
            """, logger: logger
        ).decode((Bool, Bool).self).collectAll()
        guard let (committed, exists) = rows.first else { throw PostgresStoreError("archive commit returned no row") }
        return committed ? .committed([]) : (exists ? .fenced : .gone)
    }

    public func renew(_ claim: ArchiveClaim, leaseSeconds: Int) async throws -> Bool {
        try await !client.query(
            """
            UPDATE recording_archives SET lease_expires_at = now() + make_interval(secs => \(Double(leaseSeconds)))
            WHERE call_id = \(claim.callID) AND lease_token = \(claim.leaseToken) AND status = 'archiving'
            RETURNING call_id
            """, logger: logger
        ).collect().isEmpty
    }

    public func fail(_ claim: ArchiveClaim, reason: String) async throws -> FollowUps? {
        try await client.query(
            """
            UPDATE recording_archives
            SET status = 'failed', error = \(reason), lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
            WHERE call_id = \(claim.callID) AND lease_token = \(claim.leaseToken) AND status = 'archiving'
            RETURNING call_id
            """, logger: logger
        ).collect().isEmpty ? nil : []
    }

    public func release(_ claim: ArchiveClaim, reason: String) async throws -> Bool {
        try await !client.query(
            """
            UPDATE recording_archives
            SET error = \(reason), lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
            WHERE call_id = \(claim.callID) AND lease_token = \(claim.leaseToken) AND status = 'archiving'
            RETURNING call_id
            """, logger: logger
        ).collect().isEmpty
    }

    public func releaseHeld(callID: UUID, worker: String) async throws -> Bool {
        try await !client.query(
            """
            UPDATE recording_archives SET lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
            WHERE call_id = \(callID) AND lease_owner = \(worker) AND status = 'archiving'
            RETURNING call_id
            """, logger: logger
        ).collect().isEmpty
    }

    public func failUnclaimed(callID: UUID, reason: String) async throws -> Bool {
        try await !client.query(
            """
            UPDATE recording_archives
            SET lease_token = lease_token + 1, status = 'failed', error = \(reason), lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
            WHERE call_id = \(callID) AND status IN ('pending', 'archiving')
              AND (lease_expires_at IS NULL OR lease_expires_at < now())
            RETURNING call_id
            """, logger: logger
        ).collect().isEmpty
    }

    public func resetForRetry(callID: UUID) async throws -> Bool {
        try await !client.query(
            """
            UPDATE recording_archives
            SET lease_token = lease_token + 1, status = 'pending', attempts = 0, error = NULL, lease_owner = NULL, lease_expires_at = NULL,
                updated_at = now()
            WHERE call_id = \(callID) AND status = 'failed'
            RETURNING call_id
            """, logger: logger
        ).collect().isEmpty
    }
}
