import CallsCore
import Foundation
import PostgresNIO

extension PostgresCallRepository {
    /// One statement, so one round trip and one implicit transaction: the recording row, the call's move to
    /// `processing` and the outbox entry commit together or not at all. The unique index on
    /// `recordings.call_id` settles concurrent uploads for the same call (the loser inserts nothing).
    public func attachRecording(_ recording: NewRecording, toCall callID: UUID, jobPayload: String) async throws -> Int64 {
        let rows: [(Bool, Int64?)]
        do {
            rows = try await client.query("""
                WITH attached AS (
                    INSERT INTO recordings (id, call_id, filename, storage_key, format, size_bytes, sha256, sample_rate, channels)
                    SELECT \(recording.id), c.id, \(recording.filename), \(recording.storageKey), \(recording.format.rawValue),
                           \(recording.sizeBytes), \(recording.sha256), \(recording.sampleRate), \(recording.channels)
                    FROM calls c WHERE c.id = \(callID)
                    ON CONFLICT (call_id) DO NOTHING
                    RETURNING call_id
                ), processing AS (
                    UPDATE calls SET status = 'processing', error = NULL, updated_at = now()
                    WHERE id IN (SELECT call_id FROM attached)
                ), queued AS (
                    INSERT INTO outbox (call_id, payload) SELECT call_id, \(jobPayload) FROM attached RETURNING id
                )
                SELECT EXISTS (SELECT 1 FROM calls WHERE id = \(callID)), (SELECT id FROM queued)
                """, logger: logger).decode((Bool, Int64?).self).collectAll()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23503" {
            // The call was deleted between the lookup and the insert.
            throw AttachRecordingError.callNotFound
        }
        guard let (callExists, entryID) = rows.first, callExists else { throw AttachRecordingError.callNotFound }
        guard let entryID else { throw AttachRecordingError.recordingExists }
        return entryID
    }
}
