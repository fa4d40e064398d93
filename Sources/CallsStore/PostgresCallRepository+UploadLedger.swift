import PostgresNIO

extension PostgresCallRepository: UploadLedger {
    public func registerUpload(storageKey: String) async throws {
        _ = try await client.query(
            "INSERT INTO upload_ledger (storage_key) VALUES (\(storageKey)) ON CONFLICT DO NOTHING", logger: logger)
    }

    public func forgetUpload(storageKey: String) async throws {
        _ = try await client.query("DELETE FROM upload_ledger WHERE storage_key = \(storageKey)", logger: logger)
    }

    /// An entry whose key a recording row references (a commit that took longer than any statement should)
    /// is settled here, never handed out: the janitor must not remove a file a row points at.
    public func abandonedUploads(olderThan age: Duration, limit: Int) async throws -> [String] {
        try await client.bounded { try await abandonedUploadsUnbounded(olderThan: age, limit: limit) }
    }

    private func abandonedUploadsUnbounded(olderThan age: Duration, limit: Int) async throws -> [String] {
        let seconds = Double(age.components.seconds) + Double(age.components.attoseconds) / 1e18
        _ = try await client.query(
            """
            DELETE FROM upload_ledger u
            WHERE u.created_at < now() - make_interval(secs => \(seconds))
              AND EXISTS (SELECT 1 FROM recordings r WHERE r.storage_key = u.storage_key)
            """, logger: logger)
        return try await client.query(
            """
            SELECT u.storage_key FROM upload_ledger u
            WHERE u.created_at < now() - make_interval(secs => \(seconds))
              AND NOT EXISTS (SELECT 1 FROM recordings r WHERE r.storage_key = u.storage_key)
            ORDER BY u.created_at
            LIMIT \(limit)
            """, logger: logger
        ).decode(String.self).collectAll()
    }
}
