import CallsCore
import Foundation
import Logging
import PostgresNIO

/// `CallRepository` and `Outbox` over PostgreSQL. The statements every call goes through are prepared
/// statements (PostgresNIO prepares each once per connection), so PostgreSQL neither parses nor, once it
/// settles on a generic plan, plans them again: most of its CPU per call went there. Each has a short name of
/// its own, because PostgreSQL keeps 63 bytes of a statement name and the default, the Swift type's path, is
/// longer: two statements could end up sharing one.
public struct PostgresCallRepository: CallRepository, Outbox {
    let client: DatabaseClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger, deadline: Duration? = DatabaseDeadline.defaultLimit) {
        self.client = DatabaseClient(client, deadline: deadline)
        self.logger = logger
    }

    public func create(_ call: NewCall, idempotencyKey: String?) async throws -> CallCreation {
        guard let key = idempotencyKey else {
            guard let created = try await client.executeUnprepared(InsertCall(id: UUID(), call: call), logger: logger).first else {
                throw PostgresStoreError("INSERT INTO calls returned no row")
            }
            return .created(created)
        }
        return try await create(call, idempotencyKey: key)
    }

    /// The station facts' columns, in `NewCall.station`'s order, for both ways a call is inserted.
    static let stationColumns = """
        station_name, station_call_id, station_direction, station_answered_at, station_ended_at, station_hangup_cause, \
        station_duration_sec, station_billable_sec
        """

    private struct InsertCall: PostgresPreparedStatement {
        static let name = "insert_call"
        static let sql = """
            WITH c AS (
                INSERT INTO calls (id, caller, receiver, caller_digits, receiver_digits, started_at, tags, callback_url, \(PostgresCallRepository.stationColumns))
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                RETURNING *
            )
            SELECT \(CallRow.columns) FROM c \(CallRow.recordingJoins)
            """
        var id: UUID
        var call: NewCall

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 16)
            bindings.append(id)
            bindings.append(call.caller)
            bindings.append(call.receiver)
            bindings.append(call.callerDigits)
            bindings.append(call.receiverDigits)
            bindings.append(call.startedAt)
            try bindings.append(call.tags)
            bindings.append(call.callbackURL)
            let station = call.station
            bindings.append(station?.name)
            bindings.append(station?.callID)
            bindings.append(station?.direction)
            bindings.append(station?.answeredAt)
            bindings.append(station?.endedAt)
            bindings.append(station?.hangupCause)
            bindings.append(station?.durationSec)
            bindings.append(station?.billableSec)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Call { try CallRow.decode(row) }
    }

    public func find(id: UUID) async throws -> Call? {
        let found = try await client.executeUnprepared(FindCall(id: id), logger: logger)
        return try await CallOriginDetails.attach(to: found, client: client, logger: logger).first
    }

    private struct FindCall: PostgresPreparedStatement {
        static let name = "find_call"
        static let sql = "SELECT \(CallRow.columns) FROM \(CallRow.source) WHERE c.id = $1"
        var id: UUID

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(id)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Call { try CallRow.decode(row) }
    }

    public func calls(createdBefore cutoff: Date, limit: Int) async throws -> [UUID] {
        try await client.query(
            "SELECT id FROM calls WHERE created_at < \(cutoff) ORDER BY created_at LIMIT \(limit)", logger: logger
        ).decode(UUID.self).collectAll()
    }

    public func updateTags(id: UUID, tags: [String]) async throws -> Call? {
        let rows = try await client.query(
            """
            WITH c AS (UPDATE calls SET tags = \(tags), updated_at = now() WHERE id = \(id) RETURNING *)
            SELECT \(unescaped: CallRow.columns) FROM c \(unescaped: CallRow.recordingJoins)
            """, logger: logger)
        return try await CallOriginDetails.attach(to: try await CallRow.decodeAll(rows), client: client, logger: logger).first
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
