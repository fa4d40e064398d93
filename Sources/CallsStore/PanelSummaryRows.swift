import Foundation
import Logging
import PostgresNIO
import QueuePanel

/// `panel_queue_summary`: per queue, its agents by state and its waiting callers, recounted for the queues a
/// change touched, inside the change's own transaction (under the appliers' lock), so it always agrees with
/// the rows it counts.
enum PanelSummaryRows {
    /// The queues whose counts `changes` (from `before`) can have moved: those of the memberships and waiting
    /// callers it wrote, and every queue of an agent whose current call it started or ended.
    static func touchedQueues(
        by changes: PanelChanges, before: PanelState, connection: PostgresConnection, logger: Logger
    ) async throws -> Set<String> {
        var queues = Set(changes.upsertedMembers.keys.map(\.queue)).union(changes.removedMembers.map(\.queue))
        queues.formUnion(changes.upsertedWaiting.values.map(\.queue))
        for key in Array(changes.upsertedWaiting.keys) + changes.removedWaiting {
            if let queue = before.waiting[key]?.queue { queues.insert(queue) }
        }
        let agents = Array(changes.upsertedAgentCalls.keys) + changes.removedAgentCalls
        if !agents.isEmpty {
            for try await queue in try await connection.query(
                """
                SELECT DISTINCT m.queue FROM panel_members m
                JOIN unnest(\(agents.map(\.source)), \(agents.map(\.agent))) AS changed(s, a) ON m.source = s AND m.agent = a
                """, logger: logger
            ).decode(String.self) {
                queues.insert(queue)
            }
        }
        return queues
    }

    /// Counts `queues` again from the state tables.
    static func recount(_ queues: Set<String>, connection: PostgresConnection, logger: Logger) async throws {
        guard !queues.isEmpty else { return }
        _ = try await connection.query(
            """
            INSERT INTO panel_queue_summary (queue, logged_in, paused, on_call, waiting, oldest_waiting)
            SELECT q.queue,
                   (SELECT count(*) FROM panel_members m WHERE m.queue = q.queue),
                   (SELECT count(*) FROM panel_members m WHERE m.queue = q.queue AND m.paused),
                   (SELECT count(*) FROM panel_members m
                    JOIN panel_agent_calls c ON c.source = m.source AND c.agent = m.agent
                    WHERE m.queue = q.queue AND NOT m.paused),
                   (SELECT count(*) FROM panel_waiting w WHERE w.queue = q.queue),
                   (SELECT min(entered_at) FROM panel_waiting w WHERE w.queue = q.queue)
            FROM unnest(\(Array(queues))) AS q(queue)
            ON CONFLICT (queue) DO UPDATE
            SET logged_in = EXCLUDED.logged_in, paused = EXCLUDED.paused, on_call = EXCLUDED.on_call,
                waiting = EXCLUDED.waiting, oldest_waiting = EXCLUDED.oldest_waiting
            """, logger: logger)
    }

    /// The queues a sweep's resets can have moved: the ended callers' queues, and every queue of an agent
    /// whose call it ended (ended calls themselves count nowhere).
    static func queues(
        touchedBy resets: [PanelState.GhostReset], connection: PostgresConnection, logger: Logger
    ) async throws -> Set<String> {
        var queues = Set<String>()
        var agents: [PanelState.AgentKey] = []
        for reset in resets {
            switch reset {
            case .waitingCaller(_, let queue): queues.insert(queue)
            case .call: break
            case .agentOnCall(let agent, _): agents.append(agent)
            }
        }
        if !agents.isEmpty {
            for try await queue in try await connection.query(
                """
                SELECT DISTINCT m.queue FROM panel_members m
                JOIN unnest(\(agents.map(\.source)), \(agents.map(\.agent))) AS ended(s, a) ON m.source = s AND m.agent = a
                """, logger: logger
            ).decode(String.self) {
                queues.insert(queue)
            }
        }
        return queues
    }
}
