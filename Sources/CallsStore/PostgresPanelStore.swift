import Foundation
import Logging
import PostgresNIO
import QueuePanel

/// The panel's state in PostgreSQL. A batch is one transaction: its events are inserted into
/// `telephony_events` (those already there are skipped: a redelivery changes nothing), the state rows the
/// new ones touch are loaded, the events applied by `PanelState.apply`, and the rows that changed written
/// back. Appliers take turns on an advisory lock, so two consumers never interleave one call's events.
public struct PostgresPanelStore: PanelStore {
    static let applierLock: Int64 = 0x70_616e_656c  // "panel"

    let client: DatabaseClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger, deadline: Duration? = DatabaseDeadline.defaultLimit) {
        self.client = DatabaseClient(client, deadline: deadline)
        self.logger = logger
    }

    public func apply(_ events: [QueueEvent], rules: PanelRules) async throws -> PanelBatchResult {
        guard !events.isEmpty else { return PanelBatchResult() }
        let logger = logger
        return try await client.withTransaction(deadlines: 2, logger: logger) { connection in
            _ = try await connection.query("SELECT pg_advisory_xact_lock(\(Self.applierLock))", logger: logger)
            let fresh = try await Self.insertNew(events, connection: connection, logger: logger)
            guard !fresh.isEmpty else { return PanelBatchResult(duplicates: events.count) }
            let before = try await PanelRows.load(
                PanelScope(events: fresh, rules: rules), connection: connection, logger: logger)
            var after = before
            var unknown = 0
            for event in fresh where after.apply(event, rules: rules) == .unknownEvent { unknown += 1 }
            try await PanelRows.write(PanelChanges(from: before, to: after), connection: connection, logger: logger)
            try await Self.recordProgress(of: fresh, connection: connection, logger: logger)
            return PanelBatchResult(applied: fresh.count, duplicates: events.count - fresh.count, unknown: unknown)
        }
    }

    public func state() async throws -> PanelState {
        let logger = logger
        return try await client.withTransaction(deadlines: 1, logger: logger) { connection in
            try await PanelRows.load(nil, connection: connection, logger: logger)
        }
    }

    /// The events of the batch not stored before, in batch order, each once.
    static func insertNew(_ events: [QueueEvent], connection: PostgresConnection, logger: Logger) async throws -> [QueueEvent] {
        let data = try events.map { String(decoding: try JSONEncoder().encode($0.data), as: UTF8.self) }
        let rows = try await connection.query(
            """
            INSERT INTO telephony_events (source, event_id, event_time, call_id, queue, agent, event, data)
            SELECT s, i, t, c, q, a, e, d::jsonb
            FROM unnest(\(events.map(\.source)), \(events.map(\.id)), \(events.map(\.time)), \(events.map(\.callID)),
                        \(events.map(\.queue)), \(events.map(\.agent)), \(events.map(\.name.text)), \(data))
                AS batch(s, i, t, c, q, a, e, d)
            ON CONFLICT (source, event_id) DO NOTHING
            RETURNING source, event_id
            """, logger: logger)
        var inserted = Set<[String]>()
        for try await (source, id) in rows.decode((String, String).self) { inserted.insert([source, id]) }
        // A key twice in one batch is inserted once; only its first occurrence is applied.
        return events.filter { inserted.remove([$0.source, $0.id]) != nil }
    }

    static func recordProgress(of events: [QueueEvent], connection: PostgresConnection, logger: Logger) async throws {
        var newest: [String: Date] = [:]
        for event in events { newest[event.source] = max(newest[event.source] ?? event.time, event.time) }
        _ = try await connection.query(
            """
            INSERT INTO panel_sources (source, last_event_at, applied_at)
            SELECT s, t, now() FROM unnest(\(Array(newest.keys)), \(Array(newest.values))) AS batch(s, t)
            ON CONFLICT (source) DO UPDATE
            SET last_event_at = GREATEST(panel_sources.last_event_at, EXCLUDED.last_event_at), applied_at = now()
            """, logger: logger)
    }
}
