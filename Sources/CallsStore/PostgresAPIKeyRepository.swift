import CallsCore
import Foundation
import Logging
import PostgresNIO

public struct PostgresAPIKeyRepository: APIKeyRepository {
    let client: DatabaseClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger, deadline: Duration? = DatabaseDeadline.defaultLimit) {
        self.client = DatabaseClient(client, deadline: deadline)
        self.logger = logger
    }

    private static let columns = "id, name, role, secret_sha256, created_at, last_used_at, revoked_at"

    public func create(role: APIRole, name: String) async throws -> (StoredAPIKey, APIKeyToken) {
        let token = APIKeyToken.generate()
        let rows = try await client.query(
            """
            INSERT INTO api_keys (id, name, role, secret_sha256) VALUES (\(token.id), \(name), \(role.rawValue), \(Data(token.secretDigest)))
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        guard let key = try await Self.decode(rows).first else { throw PostgresStoreError("INSERT INTO api_keys returned no row") }
        return (key, token)
    }

    public func find(id: UUID) async throws -> StoredAPIKey? {
        try await Self.decode(client.query("SELECT \(unescaped: Self.columns) FROM api_keys WHERE id = \(id)", logger: logger)).first
    }

    public func list() async throws -> [StoredAPIKey] {
        try await Self.decode(
            client.query(
                "SELECT \(unescaped: Self.columns) FROM api_keys ORDER BY created_at DESC, id", logger: logger))
    }

    public func revoke(id: UUID) async throws -> StoredAPIKey? {
        try await Self.decode(
            client.query(
                """
                UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = \(id)
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
        ).first
    }

    public func markUsed(id: UUID) async throws {
        try await client.query("UPDATE api_keys SET last_used_at = now() WHERE id = \(id)", logger: logger)
    }

    private static func decode(_ rows: QueryRows) async throws -> [StoredAPIKey] {
        var keys: [StoredAPIKey] = []
        for try await (id, name, role, digest, createdAt, lastUsedAt, revokedAt)
            in rows.decode((UUID, String, String, Data, Date, Date?, Date?).self)
        {
            guard let role = APIRole(rawValue: role) else { throw PostgresStoreError("api key \(id) has an unknown role '\(role)'") }
            keys.append(
                StoredAPIKey(
                    id: id, name: name, role: role, secretDigest: Array(digest), createdAt: createdAt,
                    lastUsedAt: lastUsedAt, revokedAt: revokedAt))
        }
        return keys
    }
}
