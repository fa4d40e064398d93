import CallsCore
import Foundation
import PostgresNIO

extension PostgresCallRepository {
    /// One statement, so one round trip and one implicit transaction: the recording row, the call's move to
    /// `processing`, the outbox entry and the end of the upload's ledger entry commit together or not at all. The unique index on
    /// `recordings.call_id` settles concurrent uploads for the same call (the loser inserts nothing).
    public func attachRecording(_ recording: NewRecording, toCall callID: UUID, jobPayload: String) async throws -> Int64 {
        let rows: [(callExists: Bool, entryID: Int64?)]
        do {
            rows = try await client.executeUnprepared(
                AttachRecording(recording: recording, callID: callID, jobPayload: jobPayload), logger: logger)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23503" {
            // The call was deleted between the lookup and the insert.
            throw AttachRecordingError.callNotFound
        }
        guard let row = rows.first, row.callExists else { throw AttachRecordingError.callNotFound }
        guard let entryID = row.entryID else { throw AttachRecordingError.recordingExists }
        return entryID
    }

    private struct AttachRecording: PostgresPreparedStatement {
        static let name = "attach_recording"
        static let sql = """
            WITH attached AS (
                INSERT INTO recordings (id, call_id, filename, storage_key, format, size_bytes, sha256, sample_rate, channels)
                SELECT $1, c.id, $3, $4, $5, $6, $7, $8, $9 FROM calls c WHERE c.id = $2
                ON CONFLICT (call_id) DO NOTHING
                RETURNING call_id
            ), processing AS (
                UPDATE calls SET status = 'processing', error = NULL, updated_at = now()
                WHERE id IN (SELECT call_id FROM attached)
            ), queued AS (
                INSERT INTO outbox (call_id, payload) SELECT call_id, $10 FROM attached RETURNING id
            ), settled AS (
                DELETE FROM upload_ledger WHERE storage_key = $4 AND EXISTS (SELECT 1 FROM attached)
            )
            SELECT EXISTS (SELECT 1 FROM calls WHERE id = $2), (SELECT id FROM queued)
            """
        var recording: NewRecording
        var callID: UUID
        var jobPayload: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 10)
            bindings.append(recording.id)
            bindings.append(callID)
            bindings.append(recording.filename)
            bindings.append(recording.storageKey)
            bindings.append(recording.format.rawValue)
            bindings.append(recording.sizeBytes)
            bindings.append(recording.sha256)
            bindings.append(recording.sampleRate)
            bindings.append(recording.channels)
            bindings.append(jobPayload)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> (callExists: Bool, entryID: Int64?) {
            let (callExists, entryID) = try row.decode((Bool, Int64?).self)
            return (callExists, entryID)
        }
    }
}
