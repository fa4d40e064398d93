import CallsCore
import Foundation
import Logging
import PostgresNIO

/// `CallRepository` and `Outbox` over PostgreSQL.
public struct PostgresCallRepository: CallRepository, Outbox {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func create(_ call: NewCall) async throws -> Call {
        let id = UUID()
        let rows = try await client.query("""
            WITH c AS (
                INSERT INTO calls (id, caller, receiver, caller_digits, receiver_digits, started_at, tags)
                VALUES (\(id), \(call.caller), \(call.receiver), \(call.callerDigits), \(call.receiverDigits),
                        \(call.startedAt), \(call.tags))
                RETURNING *
            )
            SELECT \(unescaped: CallRow.columns) FROM c LEFT JOIN recordings r ON r.call_id = c.id
            """, logger: logger)
        guard let call = try await CallRow.decodeAll(rows).first else {
            throw PostgresStoreError("INSERT INTO calls returned no row")
        }
        return call
    }

    public func find(id: UUID) async throws -> Call? {
        let rows = try await client.query(
            "SELECT \(unescaped: CallRow.columns) FROM \(unescaped: CallRow.source) WHERE c.id = \(id)", logger: logger)
        return try await CallRow.decodeAll(rows).first
    }

    public func list(_ query: CallQuery) async throws -> CallPage {
        // Search digits are digits only, so they cannot carry LIKE wildcards.
        let pattern = query.digits.map { "%\($0)%" } ?? "%"
        var total = 0
        for try await count in try await client.query(
            "SELECT count(*) FROM calls c WHERE c.caller_digits LIKE \(pattern) OR c.receiver_digits LIKE \(pattern)",
            logger: logger
        ).decode(Int.self) {
            total = count
        }
        let rows = try await client.query("""
            SELECT \(unescaped: CallRow.columns) FROM \(unescaped: CallRow.source)
            WHERE c.caller_digits LIKE \(pattern) OR c.receiver_digits LIKE \(pattern)
            ORDER BY c.started_at DESC, c.id DESC
            LIMIT \(query.limit) OFFSET \(query.offset)
            """, logger: logger)
        return CallPage(total: total, items: try await CallRow.decodeAll(rows))
    }

    public func ping() async throws {
        _ = try await client.query("SELECT 1", logger: logger).collect()
    }
}

public struct PostgresStoreError: Error, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
