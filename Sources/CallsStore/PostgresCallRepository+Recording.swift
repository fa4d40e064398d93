import CallsCore
import Foundation
import PostgresNIO

extension PostgresCallRepository {
    public func attachRecording(_ recording: NewRecording, toCall callID: UUID, jobPayload: String) async throws -> Int64 {
        try await client.withTransaction(logger: logger) { connection in
            // Locking the call row serialises concurrent uploads for the same call.
            var callExists = false
            for try await _ in try await connection.query(
                "SELECT 1 FROM calls WHERE id = \(callID) FOR UPDATE", logger: logger
            ) {
                callExists = true
            }
            guard callExists else { throw AttachRecordingError.callNotFound }

            var inserted = false
            for try await _ in try await connection.query("""
                INSERT INTO recordings (id, call_id, filename, storage_key, format, size_bytes, sha256, sample_rate, channels)
                VALUES (\(recording.id), \(callID), \(recording.filename), \(recording.storageKey),
                        \(recording.format.rawValue), \(recording.sizeBytes), \(recording.sha256),
                        \(recording.sampleRate), \(recording.channels))
                ON CONFLICT (call_id) DO NOTHING
                RETURNING id
                """, logger: logger) {
                inserted = true
            }
            guard inserted else { throw AttachRecordingError.recordingExists }

            _ = try await connection.query("""
                UPDATE calls SET status = 'processing', error = NULL, updated_at = now() WHERE id = \(callID)
                """, logger: logger)
            var entryID: Int64 = 0
            for try await id in try await connection.query(
                "INSERT INTO outbox (call_id, payload) VALUES (\(callID), \(jobPayload)) RETURNING id", logger: logger
            ).decode(Int64.self) {
                entryID = id
            }
            return entryID
        }
    }
}
