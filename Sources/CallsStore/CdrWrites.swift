import CallsCore
import Foundation
import Logging
import PostgresNIO

/// The builder's writes: CDRs upserted, pending rows settled or postponed, each in one statement per batch.
enum CdrWrites {
    /// What a CDR is made of, as far as versions go: a rebuild that changes none of these is no new version
    /// (and nothing to export again). Not `call_id` (a queue call's comes from its row id, fixed at the first build)
    /// nor `call_row_id` (a link, not content).
    static let contentColumns = [
        "initiator_phone", "call_type", "scenario_id", "start_time", "end_time", "duration_seconds", "operator_id",
        "operator_name", "call_result", "number_of_connections", "number_of_events", "wait_seconds", "talk_seconds",
        "hold_seconds", "answered", "queue", "agent", "complete",
    ]

    static func columns(_ prefix: String) -> String {
        contentColumns.map { prefix + $0 }.joined(separator: ", ")
    }

    static let contentDiffers = "(\(columns("d."))) IS DISTINCT FROM (\(columns("EXCLUDED.")))"

    /// The placeholder of a null `call_row_id` (its flag says it is absent).
    static let noRow = UUID(uuidString: "00000000-0000-0000-0000-000000000000")!

    struct Written {
        var built = 0
        var rebuilt = 0
    }

    /// Inserts new CDRs and updates those whose content changed, with the next version (which moves
    /// `change_seq`, so exporters send it again). A queue call's `call_id` is `CallDetailRecord.queueCallIDOffset` + its new row's id.
    static func upsert(_ records: [CallDetailRecord], connection: PostgresConnection, logger: Logger) async throws -> Written {
        guard !records.isEmpty else { return Written() }
        let r = records
        // Arrays cannot carry nulls here: each nullable column travels as values and a "present" flag.
        let rows = try await connection.query(
            """
            INSERT INTO cdrs AS d (id, kind, source, call_key, call_id, call_row_id, \(unescaped: columns("")))
            SELECT n.id, n.kind, n.source, n.call_key, CASE WHEN n.kind = 'queue' THEN \(CallDetailRecord.queueCallIDOffset) + n.id ELSE n.call_id END,
                   CASE WHEN n.has_row THEN n.row_id END, n.phone, n.call_type, n.scenario, n.start_time, n.end_time,
                   n.duration::integer, CASE WHEN n.has_operator THEN n.operator_id END,
                   CASE WHEN n.has_operator_name THEN n.operator_name END, CASE WHEN n.has_result THEN n.result END,
                   n.connections::integer, n.events::integer, CASE WHEN n.has_wait THEN n.wait::integer END,
                   n.talk::integer, n.hold::integer, n.answered, CASE WHEN n.has_queue THEN n.queue END,
                   CASE WHEN n.has_agent THEN n.agent END, n.complete
            FROM (
                SELECT nextval('cdrs_id_seq') AS id, b.* FROM unnest(
                    \(r.map(\.kind.rawValue)), \(r.map(\.source)), \(r.map(\.callKey)), \(r.map(\.callID)),
                    \(r.map { $0.callRowID ?? Self.noRow }), \(r.map { $0.callRowID != nil }),
                    \(r.map(\.initiatorPhone)), \(r.map(\.callType)), \(r.map(\.scenarioID)), \(r.map(\.startTime)),
                    \(r.map(\.endTime)), \(r.map(\.durationSeconds)),
                    \(r.map { $0.operatorID ?? 0 }), \(r.map { $0.operatorID != nil }),
                    \(r.map { $0.operatorName ?? "" }), \(r.map { $0.operatorName != nil }),
                    \(r.map { $0.callResult ?? "" }), \(r.map { $0.callResult != nil }),
                    \(r.map(\.numberOfConnections)), \(r.map(\.numberOfEvents)),
                    \(r.map { $0.waitSeconds ?? 0 }), \(r.map { $0.waitSeconds != nil }),
                    \(r.map(\.talkSeconds)), \(r.map(\.holdSeconds)), \(r.map(\.answered)),
                    \(r.map { $0.queue ?? "" }), \(r.map { $0.queue != nil }),
                    \(r.map { $0.agent ?? "" }), \(r.map { $0.agent != nil }), \(r.map(\.complete)))
                AS b(kind, source, call_key, call_id, row_id, has_row, phone, call_type, scenario, start_time, end_time,
                     duration, operator_id, has_operator, operator_name, has_operator_name, result, has_result,
                     connections, events, wait, has_wait, talk, hold, answered, queue, has_queue, agent, has_agent,
                     complete)
            ) AS n
            ON CONFLICT (kind, source, call_key) DO UPDATE
            SET (\(unescaped: columns(""))) = (\(unescaped: columns("EXCLUDED."))),
                call_row_id = EXCLUDED.call_row_id,
                version = CASE WHEN \(unescaped: contentDiffers) THEN d.version + 1 ELSE d.version END,
                built_at = CASE WHEN \(unescaped: contentDiffers) THEN now() ELSE d.built_at END
            WHERE (\(unescaped: contentDiffers) OR d.call_row_id IS DISTINCT FROM EXCLUDED.call_row_id)
              -- The panel forgets queue events after CALLS_PANEL_EVENT_RETENTION_DAYS: an event arriving later
              -- rebuilds from what is left, which must not replace the complete record built when all was there.
              AND NOT (d.kind = 'queue' AND d.complete AND NOT EXCLUDED.complete)
            RETURNING d.version, d.built_at = now()
            """, logger: logger)
        var written = Written()
        // A row returned but not built now only had its link to `calls` updated.
        for try await (version, builtNow) in rows.decode((Int, Bool).self) where builtNow {
            if version == 1 { written.built += 1 } else { written.rebuilt += 1 }
        }
        return written
    }

    /// Removes the pending rows of calls built or not finished, unless a change came after they were read
    /// (the call is then built again).
    static func settle(_ entries: [CdrPendingEntry], connection: PostgresConnection, logger: Logger) async throws {
        guard !entries.isEmpty else { return }
        _ = try await connection.query(
            """
            DELETE FROM cdr_pending p
            USING unnest(\(entries.map(\.kind.rawValue)), \(entries.map(\.source)), \(entries.map(\.callKey)),
                         \(entries.map(\.changeStamp))) AS s(kind, source, call_key, stamp)
            WHERE p.kind = s.kind AND p.source = s.source AND p.call_key = s.call_key
              AND \(unescaped: CdrPendingEntry.changeStampSQL) = s.stamp
            """, logger: logger)
    }

    /// Makes waiting calls due again at `due`, unless a change came after they were read (they are due now).
    static func postpone(_ entries: [(CdrPendingEntry, Date)], connection: PostgresConnection, logger: Logger) async throws {
        guard !entries.isEmpty else { return }
        _ = try await connection.query(
            """
            UPDATE cdr_pending p SET due_at = s.due
            FROM unnest(\(entries.map(\.0.kind.rawValue)), \(entries.map(\.0.source)), \(entries.map(\.0.callKey)),
                        \(entries.map(\.0.changeStamp)), \(entries.map(\.1))) AS s(kind, source, call_key, stamp, due)
            WHERE p.kind = s.kind AND p.source = s.source AND p.call_key = s.call_key
              AND \(unescaped: CdrPendingEntry.changeStampSQL) = s.stamp
            """, logger: logger)
    }
}
