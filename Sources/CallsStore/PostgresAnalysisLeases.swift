import CallsCore
import Foundation
import Logging
import PostgresNIO

/// `AnalysisLeases` over PostgreSQL.
public struct PostgresAnalysisLeases: AnalysisLeases {
    let client: DatabaseClient
    let logger: Logger
    /// Whether a completed analysis makes the recording's MP3 archive due (archiving is on).
    let queueingArchive: Bool

    public init(
        client: PostgresClient, logger: Logger, queueingArchive: Bool, deadline: Duration? = DatabaseDeadline.defaultLimit
    ) {
        self.client = DatabaseClient(client, deadline: deadline)
        self.logger = logger
        self.queueingArchive = queueingArchive
    }

    public func claim(callID: UUID, worker: String, leaseSeconds: Int) async throws -> ClaimResult<AnalysisClaim> {
        try await client.bounded { try await claimUnbounded(callID: callID, worker: worker, leaseSeconds: leaseSeconds) }
    }

    private func claimUnbounded(callID: UUID, worker: String, leaseSeconds: Int) async throws -> ClaimResult<AnalysisClaim> {
        let claimed = try await client.executeUnprepared(
            ClaimCall(callID: callID, worker: worker, leaseSeconds: Double(leaseSeconds)), logger: logger)
        if let (token, key, attempts) = claimed.first {
            return .claimed(AnalysisClaim(callID: callID, leaseToken: token, storageKey: key, attempts: attempts))
        }
        let statuses = try await client.query(
            "SELECT c.status FROM calls c JOIN recordings r ON r.call_id = c.id WHERE c.id = \(callID)", logger: logger
        ).decode(String.self).collectAll()
        guard let status = statuses.first else { return .nothingToDo("call or recording no longer exists") }
        return CallStatus(rawValue: status)?.isFinal == true ? .nothingToDo("already finished") : .leasedByAnother
    }

    /// The fence, here and in `fail` and `release`: the call changes only while the claim's token is still the
    /// call's token. Results and `ready` are one statement, so they commit together, and the statement says
    /// what it made due: an archive row it inserted, a callback the status trigger made pending.
    public func complete(_ claim: AnalysisClaim, with result: AnalysisResult) async throws -> WorkCommit {
        let statement = CompleteCall(
            claim: claim, result: result, silenceMarks: try JSONCoding.encodeToString(result.silenceMarks),
            analysis: try JSONCoding.encodeToString(result.analysis), queueingArchive: queueingArchive)
        guard let (archiveDue, callbackDue) = try await client.executeUnprepared(statement, logger: logger).first else { return .fenced }
        return .committed(FollowUps(archive: archiveDue, callback: callbackDue))
    }

    public func fail(_ claim: AnalysisClaim, reason: String) async throws -> FollowUps? {
        let failed = try await client.query(
            """
            UPDATE calls
            SET status = 'failed', error = \(reason), lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
            WHERE id = \(claim.callID) AND lease_token = \(claim.leaseToken) AND status = 'processing'
            RETURNING callback_status IS NOT DISTINCT FROM 'pending'
            """, logger: logger
        ).decode(Bool.self).collectAll()
        return failed.first.map { FollowUps(archive: false, callback: $0) }
    }

    public func release(_ claim: AnalysisClaim, reason: String) async throws -> Bool {
        try await !client.query(
            """
            UPDATE calls SET lease_owner = NULL, lease_expires_at = NULL, error = \(reason), updated_at = now()
            WHERE id = \(claim.callID) AND lease_token = \(claim.leaseToken) AND status = 'processing'
            RETURNING id
            """, logger: logger
        ).collect().isEmpty
    }

    public func releaseHeld(callID: UUID, worker: String) async throws -> Bool {
        try await !client.query(
            """
            UPDATE calls SET lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
            WHERE id = \(callID) AND lease_owner = \(worker) AND status = 'processing'
            RETURNING id
            """, logger: logger
        ).collect().isEmpty
    }

    public func failUnclaimed(callID: UUID, reason: String) async throws -> Bool {
        try await !client.query(
            """
            UPDATE calls SET lease_token = lease_token + 1, status = 'failed', error = \(reason), lease_owner = NULL, lease_expires_at = NULL,
                             updated_at = now()
            WHERE id = \(callID) AND status = 'processing' AND (lease_expires_at IS NULL OR lease_expires_at < now())
            RETURNING id
            """, logger: logger
        ).collect().isEmpty
    }

    public func resetForRetry(callID: UUID) async throws -> Bool {
        try await !client.query(
            """
            UPDATE calls SET lease_token = lease_token + 1, status = 'processing', attempts = 0, error = NULL, lease_owner = NULL,
                             lease_expires_at = NULL, updated_at = now()
            WHERE id = \(callID) AND status = 'failed'
            RETURNING id
            """, logger: logger
        ).collect().isEmpty
    }

    /// Claims and completions are statement types run unprepared (see `DatabaseClient.executeUnprepared`).
    /// A worker may claim again what it holds: after an outage interrupted its commit it retries the whole
    /// job in place, and must neither find its own lease in the way (the heartbeat would keep that lease alive
    /// with nobody working on it) nor spend an attempt.
    private struct ClaimCall: PostgresPreparedStatement {
        static let name = "claim_call"
        static let sql = """
            UPDATE calls c
            SET status = 'processing', lease_token = c.lease_token + 1, lease_owner = $2,
                lease_expires_at = now() + make_interval(secs => $3),
                attempts = c.attempts + CASE WHEN c.lease_owner = $2 AND c.lease_expires_at >= now() THEN 0 ELSE 1 END,
                updated_at = now()
            FROM recordings r
            WHERE c.id = $1 AND r.call_id = c.id
              AND c.status IN ('created', 'processing')
              AND (c.lease_expires_at IS NULL OR c.lease_expires_at < now() OR c.lease_owner = $2)
            RETURNING c.lease_token, r.storage_key, c.attempts
            """
        var callID: UUID
        var worker: String
        var leaseSeconds: Double

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(callID)
            bindings.append(worker)
            bindings.append(leaseSeconds)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> (Int64, String, Int) {
            try row.decode((Int64, String, Int).self)
        }
    }

    private struct CompleteCall: PostgresPreparedStatement {
        static let name = "complete_call"
        static let sql = """
            WITH finished AS (
                UPDATE calls
                SET status = 'ready', error = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
                WHERE id = $1 AND lease_token = $2 AND status = 'processing'
                RETURNING id, callback_status IS NOT DISTINCT FROM 'pending' AS callback_due
            )
            , analysed AS (
                UPDATE recordings
                SET frame_count = $3, duration_ms = $4, sample_rate = $5, channels = $6,
                    silence_marks = $7::jsonb, transcription = $8, analysis = $9::jsonb, updated_at = now()
                WHERE call_id IN (SELECT id FROM finished)
                RETURNING id, call_id
            ), archive AS (
                INSERT INTO recording_archives (recording_id, call_id)
                SELECT id, call_id FROM analysed WHERE $10
                ON CONFLICT DO NOTHING
                RETURNING call_id
            )
            SELECT EXISTS (SELECT 1 FROM archive), finished.callback_due
            FROM analysed JOIN finished ON finished.id = analysed.call_id
            """
        var claim: AnalysisClaim
        var result: AnalysisResult
        var silenceMarks: String
        var analysis: String
        var queueingArchive: Bool

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 10)
            bindings.append(claim.callID)
            bindings.append(claim.leaseToken)
            bindings.append(result.frameCount)
            bindings.append(result.durationMs)
            bindings.append(result.sampleRate)
            bindings.append(result.channels)
            bindings.append(silenceMarks)
            bindings.append(result.transcription)
            bindings.append(analysis)
            bindings.append(queueingArchive)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> (Bool, Bool) { try row.decode((Bool, Bool).self) }
    }
}

extension FollowUps {
    init(archive: Bool, callback: Bool) {
        self = []
        if archive { insert(.archive) }
        if callback { insert(.callback) }
    }
}
