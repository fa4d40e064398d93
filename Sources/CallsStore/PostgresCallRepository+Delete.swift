import Foundation
import PostgresNIO

extension PostgresCallRepository {
    /// The call row stays locked while its object is removed, so an upload cannot attach a recording in
    /// between; the recording and outbox rows go with it (ON DELETE CASCADE). If the commit fails after the
    /// object is gone, the call is still there to be deleted again, and removing a missing object is fine.
    public func delete(id: UUID, removeStoredObject: @escaping @Sendable (String) async throws -> Void) async throws -> Bool {
        do {
            return try await deleteLocked(id: id, removeStoredObject: removeStoredObject)
        } catch let error as PostgresTransactionError {
            // The storage's own error (say, the bucket is unreachable) is the one worth reporting.
            if let closureError = error.closureError, !(closureError is PSQLError) { throw closureError }
            throw error
        }
    }

    private func deleteLocked(id: UUID, removeStoredObject: @escaping @Sendable (String) async throws -> Void) async throws -> Bool {
        try await client.withTransaction(deadlines: 3, logger: logger) { connection in
            let locked = try await connection.query(
                "SELECT id FROM calls WHERE id = \(id) FOR UPDATE", logger: logger
            ).decode(UUID.self).collectAll()
            guard !locked.isEmpty else { return false }
            // Read after the lock, in a statement of its own, so an archive committed while this waited for the
            // lock is seen. An archive commit holds a key-share lock on the call, so none can land from now on:
            // it waits, finds the call gone, and removes the object it stored itself.
            let rows = try await connection.query(
                """
                SELECT r.storage_key, a.storage_key
                FROM recordings r LEFT JOIN recording_archives a ON a.recording_id = r.id
                WHERE r.call_id = \(id)
                """, logger: logger
            ).decode((String, String?).self).collectAll()
            if let (originalKey, archiveKey) = rows.first {
                for key in [originalKey] + [archiveKey].compactMap({ $0 }) { try await removeStoredObject(key) }
            }
            _ = try await connection.query("DELETE FROM calls WHERE id = \(id)", logger: logger)
            return true
        }
    }
}
