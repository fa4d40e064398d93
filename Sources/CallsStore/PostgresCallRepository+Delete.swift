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
        try await client.withTransaction(logger: logger) { connection in
            let rows = try await connection.query("""
                SELECT r.storage_key FROM calls c LEFT JOIN recordings r ON r.call_id = c.id
                WHERE c.id = \(id) FOR UPDATE OF c
                """, logger: logger).decode(String?.self).collectAll()
            guard let row = rows.first else { return false }
            if let key = row { try await removeStoredObject(key) }
            _ = try await connection.query("DELETE FROM calls WHERE id = \(id)", logger: logger)
            return true
        }
    }
}
