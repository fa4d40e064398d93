import Foundation
import Logging
import PostgresNIO
import QueuePanel

/// Reads and writes the panel's state tables. Nullable columns travel in arrays as '' or -1 (turned back
/// into NULL by the statements), since a batch is sent as one array per column.
enum PanelRows {
    /// The rows `scope` names, or every row when it is nil.
    static func load(_ scope: PanelScope?, connection: PostgresConnection, logger: Logger) async throws -> PanelState {
        let all = scope == nil
        let agents = scope.map { Array($0.agents) } ?? []
        let calls = scope.map { Array($0.calls) } ?? []
        let counters = scope.map { Array($0.counters) } ?? []
        let restarted = scope.map { Array($0.restartedSources) } ?? []
        var state = PanelState()

        for try await (source, queue, agent, since, paused, reason, lastEvent) in try await connection.query(
            """
            SELECT source, queue, agent, since, paused, pause_reason, last_event_at FROM panel_members
            WHERE \(all) OR (source, agent) IN (SELECT * FROM unnest(\(agents.map(\.source)), \(agents.map(\.agent))))
            """, logger: logger
        ).decode((String, String, String, Date, Bool, String?, Date).self) {
            state.members[.init(source: source, queue: queue, agent: agent)] = .init(
                since: since, paused: paused, pauseReason: reason, lastEventAt: lastEvent)
        }

        for try await (source, callID, queue, callerID, position, entered, lastEvent) in try await connection.query(
            """
            SELECT source, call_id, queue, caller_id, position, entered_at, last_event_at FROM panel_waiting
            WHERE \(all) OR source = ANY(\(restarted))
               OR (source, call_id) IN (SELECT * FROM unnest(\(calls.map(\.source)), \(calls.map(\.callID))))
            """, logger: logger
        ).decode((String, String, String, String?, Int?, Date, Date).self) {
            state.waiting[.init(source: source, callID: callID)] = .init(
                queue: queue, callerID: callerID, position: position, enteredAt: entered, lastEventAt: lastEvent)
        }

        for try await (source, callID, queue, agent, connected, hold, lastEvent) in try await connection.query(
            """
            SELECT source, call_id, queue, agent, connected_at, hold_seconds, last_event_at FROM panel_calls
            WHERE \(all) OR source = ANY(\(restarted))
               OR (source, call_id) IN (SELECT * FROM unnest(\(calls.map(\.source)), \(calls.map(\.callID))))
            """, logger: logger
        ).decode((String, String, String, String, Date, Int?, Date).self) {
            state.calls[.init(source: source, callID: callID)] = .init(
                queue: queue, agent: agent, connectedAt: connected, holdSeconds: hold, lastEventAt: lastEvent)
        }

        // A call's end clears its agent's current call, so the agents of the loaded calls are in scope too.
        let callAgents = agents + state.calls.map { PanelState.AgentKey(source: $0.key.source, agent: $0.value.agent) }
        for try await (source, agent, callID, queue, since) in try await connection.query(
            """
            SELECT source, agent, call_id, queue, since FROM panel_agent_calls
            WHERE \(all) OR source = ANY(\(restarted))
               OR (source, agent) IN (SELECT * FROM unnest(\(callAgents.map(\.source)), \(callAgents.map(\.agent))))
            """, logger: logger
        ).decode((String, String, String, String, Date).self) {
            state.agentCalls[.init(source: source, agent: agent)] = .init(callID: callID, queue: queue, since: since)
        }

        for try await row in try await connection.query(
            """
            SELECT queue, to_char(day, 'YYYY-MM-DD'), offered, answered, abandoned, timed_out, answered_within_sl,
                   hold_seconds_total, hold_count, talk_seconds_total, talk_count
            FROM panel_counters
            WHERE \(all) OR (queue, day) IN (
                SELECT q, d::date FROM unnest(\(counters.map(\.queue)), \(counters.map(\.day.description))) AS t(q, d))
            """, logger: logger
        ).decode((String, String, Int, Int, Int, Int, Int, Int, Int, Int, Int).self) {
            guard let day = PanelDay(row.1) else { continue }
            var counters = PanelState.DayCounters()
            (counters.offered, counters.answered, counters.abandoned, counters.timedOut) = (row.2, row.3, row.4, row.5)
            (counters.answeredWithinServiceLevel, counters.holdSecondsTotal, counters.holdCount) = (row.6, row.7, row.8)
            (counters.talkSecondsTotal, counters.talkCount) = (row.9, row.10)
            state.counters[.init(queue: row.0, day: day)] = counters
        }
        return state
    }

    /// The members of `queue` with their agents' calls, its waiting callers and its counts on `day`.
    static func loadQueue(_ queue: String, day: PanelDay, connection: PostgresConnection, logger: Logger) async throws -> PanelState {
        var state = PanelState()
        for try await (source, agent, since, paused, reason, lastEvent) in try await connection.query(
            "SELECT source, agent, since, paused, pause_reason, last_event_at FROM panel_members WHERE queue = \(queue)",
            logger: logger
        ).decode((String, String, Date, Bool, String?, Date).self) {
            state.members[.init(source: source, queue: queue, agent: agent)] = .init(
                since: since, paused: paused, pauseReason: reason, lastEventAt: lastEvent)
        }
        for try await (source, agent, callID, callQueue, since) in try await connection.query(
            """
            SELECT c.source, c.agent, c.call_id, c.queue, c.since FROM panel_agent_calls c
            JOIN panel_members m ON m.source = c.source AND m.agent = c.agent AND m.queue = \(queue)
            """, logger: logger
        ).decode((String, String, String, String, Date).self) {
            state.agentCalls[.init(source: source, agent: agent)] = .init(callID: callID, queue: callQueue, since: since)
        }
        for try await (source, callID, callerID, position, entered, lastEvent) in try await connection.query(
            "SELECT source, call_id, caller_id, position, entered_at, last_event_at FROM panel_waiting WHERE queue = \(queue)",
            logger: logger
        ).decode((String, String, String?, Int?, Date, Date).self) {
            state.waiting[.init(source: source, callID: callID)] = .init(
                queue: queue, callerID: callerID, position: position, enteredAt: entered, lastEventAt: lastEvent)
        }
        let scope = PanelScope(counters: [PanelState.CounterKey(queue: queue, day: day)])
        state.counters = try await load(scope, connection: connection, logger: logger).counters
        return state
    }

    /// Every membership and every agent's call: what `/agents` shows.
    static func loadAgents(connection: PostgresConnection, logger: Logger) async throws -> PanelState {
        var state = PanelState()
        for try await (source, queue, agent, since, paused, reason, lastEvent) in try await connection.query(
            "SELECT source, queue, agent, since, paused, pause_reason, last_event_at FROM panel_members", logger: logger
        ).decode((String, String, String, Date, Bool, String?, Date).self) {
            state.members[.init(source: source, queue: queue, agent: agent)] = .init(
                since: since, paused: paused, pauseReason: reason, lastEventAt: lastEvent)
        }
        for try await (source, agent, callID, queue, since) in try await connection.query(
            "SELECT source, agent, call_id, queue, since FROM panel_agent_calls", logger: logger
        ).decode((String, String, String, String, Date).self) {
            state.agentCalls[.init(source: source, agent: agent)] = .init(callID: callID, queue: queue, since: since)
        }
        return state
    }

    static func write(_ changes: PanelChanges, connection: PostgresConnection, logger: Logger) async throws {
        try await writeMembers(changes, connection: connection, logger: logger)
        try await writeCalls(changes, connection: connection, logger: logger)
        try await writeCounters(changes, connection: connection, logger: logger)
    }

    private static func writeMembers(_ changes: PanelChanges, connection: PostgresConnection, logger: Logger) async throws {
        let removed = changes.removedMembers
        if !removed.isEmpty {
            _ = try await connection.query(
                """
                DELETE FROM panel_members m
                USING unnest(\(removed.map(\.source)), \(removed.map(\.queue)), \(removed.map(\.agent))) AS gone(s, q, a)
                WHERE m.source = gone.s AND m.queue = gone.q AND m.agent = gone.a
                """, logger: logger)
        }
        let members = Array(changes.upsertedMembers)
        if !members.isEmpty {
            _ = try await connection.query(
                """
                INSERT INTO panel_members (source, queue, agent, since, paused, pause_reason, last_event_at)
                SELECT s, q, a, si, p, NULLIF(r, ''), l
                FROM unnest(\(members.map(\.key.source)), \(members.map(\.key.queue)), \(members.map(\.key.agent)),
                            \(members.map(\.value.since)), \(members.map(\.value.paused)),
                            \(members.map { $0.value.pauseReason ?? "" }), \(members.map(\.value.lastEventAt)))
                    AS batch(s, q, a, si, p, r, l)
                ON CONFLICT (source, queue, agent) DO UPDATE
                SET since = EXCLUDED.since, paused = EXCLUDED.paused, pause_reason = EXCLUDED.pause_reason,
                    last_event_at = EXCLUDED.last_event_at
                """, logger: logger)
        }
        let removedAgents = changes.removedAgentCalls
        if !removedAgents.isEmpty {
            _ = try await connection.query(
                """
                DELETE FROM panel_agent_calls c USING unnest(\(removedAgents.map(\.source)), \(removedAgents.map(\.agent))) AS gone(s, a)
                WHERE c.source = gone.s AND c.agent = gone.a
                """, logger: logger)
        }
        let agentCalls = Array(changes.upsertedAgentCalls)
        if !agentCalls.isEmpty {
            _ = try await connection.query(
                """
                INSERT INTO panel_agent_calls (source, agent, call_id, queue, since)
                SELECT * FROM unnest(\(agentCalls.map(\.key.source)), \(agentCalls.map(\.key.agent)),
                                     \(agentCalls.map(\.value.callID)), \(agentCalls.map(\.value.queue)),
                                     \(agentCalls.map(\.value.since)))
                ON CONFLICT (source, agent) DO UPDATE
                SET call_id = EXCLUDED.call_id, queue = EXCLUDED.queue, since = EXCLUDED.since
                """, logger: logger)
        }
    }

    private static func writeCalls(_ changes: PanelChanges, connection: PostgresConnection, logger: Logger) async throws {
        for (table, removed) in [("panel_waiting", changes.removedWaiting), ("panel_calls", changes.removedCalls)] where !removed.isEmpty {
            _ = try await connection.query(
                """
                DELETE FROM \(unescaped: table) t USING unnest(\(removed.map(\.source)), \(removed.map(\.callID))) AS gone(s, c)
                WHERE t.source = gone.s AND t.call_id = gone.c
                """, logger: logger)
        }
        let waiting = Array(changes.upsertedWaiting)
        if !waiting.isEmpty {
            _ = try await connection.query(
                """
                INSERT INTO panel_waiting (source, call_id, queue, caller_id, position, entered_at, last_event_at)
                SELECT s, c, q, NULLIF(ci, ''), NULLIF(p, -1), e, l
                FROM unnest(\(waiting.map(\.key.source)), \(waiting.map(\.key.callID)), \(waiting.map(\.value.queue)),
                            \(waiting.map { $0.value.callerID ?? "" }), \(waiting.map { $0.value.position ?? -1 }),
                            \(waiting.map(\.value.enteredAt)), \(waiting.map(\.value.lastEventAt)))
                    AS batch(s, c, q, ci, p, e, l)
                ON CONFLICT (source, call_id) DO UPDATE
                SET queue = EXCLUDED.queue, caller_id = EXCLUDED.caller_id, position = EXCLUDED.position,
                    entered_at = EXCLUDED.entered_at, last_event_at = EXCLUDED.last_event_at
                """, logger: logger)
        }
        let calls = Array(changes.upsertedCalls)
        if !calls.isEmpty {
            _ = try await connection.query(
                """
                INSERT INTO panel_calls (source, call_id, queue, agent, connected_at, hold_seconds, last_event_at)
                SELECT s, c, q, a, co, NULLIF(h, -1), l
                FROM unnest(\(calls.map(\.key.source)), \(calls.map(\.key.callID)), \(calls.map(\.value.queue)),
                            \(calls.map(\.value.agent)), \(calls.map(\.value.connectedAt)),
                            \(calls.map { $0.value.holdSeconds ?? -1 }), \(calls.map(\.value.lastEventAt)))
                    AS batch(s, c, q, a, co, h, l)
                ON CONFLICT (source, call_id) DO UPDATE
                SET queue = EXCLUDED.queue, agent = EXCLUDED.agent, connected_at = EXCLUDED.connected_at,
                    hold_seconds = EXCLUDED.hold_seconds, last_event_at = EXCLUDED.last_event_at
                """, logger: logger)
        }
    }

    private static func writeCounters(_ changes: PanelChanges, connection: PostgresConnection, logger: Logger) async throws {
        let rows = Array(changes.upsertedCounters)
        guard !rows.isEmpty else { return }
        let values = rows.map(\.value)
        _ = try await connection.query(
            """
            INSERT INTO panel_counters (queue, day, offered, answered, abandoned, timed_out, answered_within_sl,
                                        hold_seconds_total, hold_count, talk_seconds_total, talk_count)
            SELECT q, d::date, o, an, ab, t, sl, hs, hc, ts, tc
            FROM unnest(\(rows.map(\.key.queue)), \(rows.map(\.key.day.description)), \(values.map(\.offered)),
                        \(values.map(\.answered)), \(values.map(\.abandoned)), \(values.map(\.timedOut)),
                        \(values.map(\.answeredWithinServiceLevel)), \(values.map(\.holdSecondsTotal)),
                        \(values.map(\.holdCount)), \(values.map(\.talkSecondsTotal)), \(values.map(\.talkCount)))
                AS batch(q, d, o, an, ab, t, sl, hs, hc, ts, tc)
            ON CONFLICT (queue, day) DO UPDATE
            SET offered = EXCLUDED.offered, answered = EXCLUDED.answered, abandoned = EXCLUDED.abandoned,
                timed_out = EXCLUDED.timed_out, answered_within_sl = EXCLUDED.answered_within_sl,
                hold_seconds_total = EXCLUDED.hold_seconds_total, hold_count = EXCLUDED.hold_count,
                talk_seconds_total = EXCLUDED.talk_seconds_total, talk_count = EXCLUDED.talk_count
            """, logger: logger)
    }
}
