import Foundation
import Logging
import PostgresNIO
import QueuePanel

extension PostgresPanelStore: PanelReader {
    /// From the per-queue summary the applier keeps (`PanelSummaryRows`) and today's counters: a panel polled
    /// every second by many screens reads a row per queue, never the memberships and callers themselves.
    public func queueStatuses(now: Date, today: PanelDay) async throws -> [QueueStatus] {
        let rows = try await client.query(
            """
            WITH today AS (SELECT * FROM panel_counters WHERE day = \(today.description)::date)
            SELECT q.queue, coalesce(s.logged_in, 0), coalesce(s.paused, 0), coalesce(s.on_call, 0),
                   coalesce(s.waiting, 0), s.oldest_waiting,
                   coalesce(t.offered, 0), coalesce(t.answered, 0), coalesce(t.abandoned, 0), coalesce(t.timed_out, 0),
                   coalesce(t.answered_within_sl, 0), coalesce(t.hold_seconds_total, 0), coalesce(t.hold_count, 0),
                   coalesce(t.talk_seconds_total, 0), coalesce(t.talk_count, 0)
            FROM (SELECT queue FROM panel_queue_summary WHERE logged_in > 0 OR waiting > 0 UNION SELECT queue FROM today) AS q
            LEFT JOIN panel_queue_summary s USING (queue) LEFT JOIN today t USING (queue)
            """, logger: logger)
        var statuses: [QueueStatus] = []
        for try await row in rows.decode((String, Int, Int, Int, Int, Date?, Int, Int, Int, Int, Int, Int, Int, Int, Int).self) {
            var counters = PanelState.DayCounters()
            (counters.offered, counters.answered, counters.abandoned, counters.timedOut) = (row.6, row.7, row.8, row.9)
            (counters.answeredWithinServiceLevel, counters.holdSecondsTotal, counters.holdCount) = (row.10, row.11, row.12)
            (counters.talkSecondsTotal, counters.talkCount) = (row.13, row.14)
            statuses.append(
                QueueStatus(
                    queue: row.0,
                    agents: .init(loggedIn: row.1, available: row.1 - row.2 - row.3, paused: row.2, onCall: row.3),
                    calls: .init(waiting: row.4, longestWaitSeconds: row.5.map { QueueStatus.WaitingCounts.wait(from: $0, to: now) }),
                    today: .init(counters)))
        }
        // Swift's order, not the database collation's: every reader of the panel sorts alike.
        return statuses.sorted { $0.queue < $1.queue }
    }

    /// The lag of the newest event of the most recent batch (a batch may carry several PBXs' events, each
    /// source's row then has the batch's time).
    public func progress() async throws -> PanelProgress {
        let rows = try await client.query(
            """
            SELECT (SELECT max(last_event_at) FROM panel_sources),
                   (SELECT EXTRACT(EPOCH FROM applied_at - last_event_at)::float8 FROM panel_sources
                    ORDER BY applied_at DESC, last_event_at DESC LIMIT 1)
            """, logger: logger)
        for try await (last, lag) in rows.decode((Date?, Double?).self) { return PanelProgress(lastEventAt: last, lagSeconds: lag) }
        return PanelProgress()
    }

    public func queueDetail(_ queue: String, now: Date, today: PanelDay) async throws -> QueueDetail? {
        let logger = logger
        let state = try await client.withTransaction(deadlines: 1, logger: logger) { connection in
            try await PanelRows.loadQueue(queue, day: today, connection: connection, logger: logger)
        }
        return state.queueDetail(queue, now: now, today: today)
    }

    public func agentDetails() async throws -> [AgentDetail] {
        let logger = logger
        let state = try await client.withTransaction(deadlines: 1, logger: logger) { connection in
            try await PanelRows.loadAgents(connection: connection, logger: logger)
        }
        return state.agentDetails()
    }
}
