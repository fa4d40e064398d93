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

    public func apply(_ events: [QueueEvent], rules: PanelRules, fence: Int64?) async throws -> PanelBatchResult {
        guard !events.isEmpty else { return PanelBatchResult() }
        let logger = logger
        return try await Self.surfacingFence(
            try await client.withTransaction(deadlines: 2, logger: logger) { connection in
                try await Self.enter(fence: fence, connection: connection, logger: logger)
                let fresh = try await Self.insertNew(events, connection: connection, logger: logger)
                guard !fresh.isEmpty else { return PanelBatchResult(duplicates: events.count) }
                let before = try await PanelRows.load(
                    PanelScope(events: fresh, rules: rules), connection: connection, logger: logger)
                var after = before
                var unknown = 0
                for event in fresh where after.apply(event, rules: rules) == .unknownEvent { unknown += 1 }
                let changes = PanelChanges(from: before, to: after)
                try await PanelRows.write(changes, connection: connection, logger: logger)
                let touched = try await PanelSummaryRows.touchedQueues(
                    by: changes, before: before, connection: connection, logger: logger)
                try await PanelSummaryRows.recount(touched, connection: connection, logger: logger)
                try await Self.recordProgress(of: fresh, connection: connection, logger: logger)
                return PanelBatchResult(applied: fresh.count, duplicates: events.count - fresh.count, unknown: unknown)
            })
    }

    /// A transaction fenced off fails with `PanelFenced` itself rather than inside PostgresNIO's transaction
    /// error, so the applier can tell "replaced" from "database away".
    static func surfacingFence<Result>(_ transaction: @autoclosure () async throws -> Result) async throws -> Result {
        do {
            return try await transaction()
        } catch let error as PostgresTransactionError {
            if let fenced = error.closureError as? PanelFenced { throw fenced }
            throw error
        }
    }

    /// Takes the appliers' lock, then checks the fence under a share lock that `takeFence` must wait for: once
    /// a newer token is taken, no batch under an older one can still commit.
    static func enter(fence: Int64?, connection: PostgresConnection, logger: Logger) async throws {
        _ = try await connection.query("SELECT pg_advisory_xact_lock(\(Self.applierLock))", logger: logger)
        guard let fence else { return }
        let rows = try await connection.query(
            "SELECT 1 FROM panel_fence WHERE id = 1 AND token = \(fence) FOR SHARE", logger: logger)
        var current = false
        for try await _ in rows { current = true }
        if !current { throw PanelFenced(fence: fence) }
    }

    public func takeFence() async throws -> Int64 {
        let logger = logger
        return try await client.withTransaction(deadlines: 1, logger: logger) { connection in
            let rows = try await connection.query(
                "UPDATE panel_fence SET token = token + 1, taken_at = now() WHERE id = 1 RETURNING token", logger: logger)
            for try await token in rows.decode(Int64.self) { return token }
            throw PanelFenceMissing()
        }
    }

    public func sweepGhosts(now: Date, limits: GhostLimits, fence: Int64?) async throws -> [PanelState.GhostReset] {
        let logger = logger
        let waitingCutoff = now.addingTimeInterval(-Double(limits.waitingSeconds))
        let callCutoff = now.addingTimeInterval(-Double(limits.callSeconds))
        return try await Self.surfacingFence(
            try await client.withTransaction(deadlines: 1, logger: logger) { connection in
                try await Self.enter(fence: fence, connection: connection, logger: logger)
                var resets: [PanelState.GhostReset] = []
                let waiting = try await connection.query(
                    "DELETE FROM panel_waiting WHERE last_event_at < \(waitingCutoff) RETURNING source, call_id, queue", logger: logger)
                for try await (source, call, queue) in waiting.decode((String, String, String).self) {
                    resets.append(.waitingCaller(.init(source: source, callID: call), queue: queue))
                }
                let calls = try await connection.query(
                    "DELETE FROM panel_calls WHERE last_event_at < \(callCutoff) RETURNING source, call_id, queue", logger: logger)
                for try await (source, call, queue) in calls.decode((String, String, String).self) {
                    resets.append(.call(.init(source: source, callID: call), queue: queue))
                }
                let agents = try await connection.query(
                    "DELETE FROM panel_agent_calls WHERE since < \(callCutoff) RETURNING source, agent, call_id", logger: logger)
                for try await (source, agent, call) in agents.decode((String, String, String).self) {
                    resets.append(.agentOnCall(.init(source: source, agent: agent), callID: call))
                }
                try await PanelSummaryRows.recount(
                    try await PanelSummaryRows.queues(touchedBy: resets, connection: connection, logger: logger),
                    connection: connection, logger: logger)
                return resets
            })
    }

    /// Of `keys`, those already in `telephony_events`.
    public func storedKeys(_ keys: [QueueEvent.Key]) async throws -> Set<QueueEvent.Key> {
        guard !keys.isEmpty else { return [] }
        let rows = try await client.query(
            """
            SELECT source, event_id FROM telephony_events
            JOIN unnest(\(keys.map(\.source)), \(keys.map(\.id))) AS sent(s, i) ON source = s AND event_id = i
            """, logger: logger)
        var stored = Set<QueueEvent.Key>()
        for try await (source, id) in rows.decode((String, String).self) { stored.insert(QueueEvent.Key(source: source, id: id)) }
        return stored
    }

    public func forgetEvents(appliedBefore cutoff: Date, limit: Int) async throws -> Int {
        let rows = try await client.query(
            """
            WITH old AS (
                SELECT source, event_id FROM telephony_events WHERE applied_at < \(cutoff) ORDER BY applied_at LIMIT \(limit)
            )
            DELETE FROM telephony_events t USING old WHERE t.source = old.source AND t.event_id = old.event_id
            RETURNING 1
            """, logger: logger)
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }

    public func state() async throws -> PanelState {
        let logger = logger
        return try await client.withTransaction(deadlines: 1, logger: logger) { connection in
            try await PanelRows.load(nil, connection: connection, logger: logger)
        }
    }

    struct PanelFenceMissing: Error {}

    /// The events of the batch not stored before, in batch order, each once.
    static func insertNew(_ events: [QueueEvent], connection: PostgresConnection, logger: Logger) async throws -> [QueueEvent] {
        let data = events.map(\.dataJSON)
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
