import PostgresNIO

extension PostgresCallRepository: UploadLedger {
    public func registerUpload(storageKey: String) async throws {
        _ = try await client.query(
            "INSERT INTO upload_ledger (storage_key) VALUES (\(storageKey)) ON CONFLICT DO NOTHING", logger: logger)
    }

    public func forgetUpload(storageKey: String) async throws {
        _ = try await client.query("DELETE FROM upload_ledger WHERE storage_key = \(storageKey)", logger: logger)
    }

    public func abandonedUploads(olderThan age: Duration, limit: Int) async throws -> [String] {
        let seconds = Double(age.components.seconds) + Double(age.components.attoseconds) / 1e18
        return try await client.query("""
            SELECT storage_key FROM upload_ledger
            WHERE created_at < now() - make_interval(secs => \(seconds))
            ORDER BY created_at
            LIMIT \(limit)
            """, logger: logger
        ).decode(String.self).collectAll()
    }
}
