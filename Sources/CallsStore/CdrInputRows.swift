import CallsCore
import Foundation
import Logging
import PostgresNIO

struct SourceCallKey: Hashable, Sendable {
    var source: String
    var externalID: Int64
}

struct QueueCallKey: Hashable, Sendable {
    var source: String
    var callID: String
}

/// What the CDRs of a batch of calls are built from: one query per table for the whole batch.
enum CdrInputRows {
    static func loadImported(
        _ keys: [SourceCallKey], connection: PostgresConnection, logger: Logger
    ) async throws -> [SourceCallKey: ImportedCallCdr.Inputs] {
        guard !keys.isEmpty else { return [:] }
        var inputs: [SourceCallKey: ImportedCallCdr.Inputs] = [:]
        for key in keys { inputs[key] = ImportedCallCdr.Inputs(source: key.source, externalID: key.externalID, call: nil) }
        let sources = keys.map(\.source)
        let ids = keys.map(\.externalID)
        for try await (source, externalID, rowID, caller, direction, scenario, started, ended) in try await connection.query(
            """
            SELECT c.source, c.external_id, c.id, c.caller, c.direction, c.scenario_id, c.started_at, c.ended_at
            FROM calls c JOIN unnest(\(sources), \(ids)) AS k(s, e) ON c.source = k.s AND c.external_id = k.e
            """, logger: logger
        ).decode((String, Int64, UUID, String, String?, String?, Date, Date?).self) {
            inputs[SourceCallKey(source: source, externalID: externalID)]?.call = ImportedCallCdr.Call(
                rowID: rowID, source: source, externalID: externalID, initiatorPhone: caller, direction: direction,
                scenarioID: scenario, startedAt: started, endedAt: ended)
        }
        for try await (source, callID, connectionID, initiated, answered, finished) in try await connection.query(
            """
            SELECT l.source, l.call_id, l.connection_id, l.initiated_at, l.answered_at, l.finished_at
            FROM call_legs l JOIN unnest(\(sources), \(ids)) AS k(s, c) ON l.source = k.s AND l.call_id = k.c
            ORDER BY l.source, l.call_id, l.connection_id
            """, logger: logger
        ).decode((String, Int64, Int64, Date, Date?, Date?).self) {
            inputs[SourceCallKey(source: source, externalID: callID)]?.legs.append(
                ImportedCallCdr.Leg(connectionID: connectionID, initiatedAt: initiated, answeredAt: answered, finishedAt: finished))
        }
        // The operator's row, when it is in, joined to the event that assigns it.
        for try await (source, callID, eventID, type, operatorID, payloadName, rowName, status, duration) in try await connection.query(
            """
            SELECT e.source, e.call_id, e.event_id, e.event_type, e.operator_id, e.payload->>'name', o.name,
                   e.payload->>'status', e.payload->>'duration'
            FROM call_source_events e JOIN unnest(\(sources), \(ids)) AS k(s, c) ON e.source = k.s AND e.call_id = k.c
            LEFT JOIN source_operators o ON o.source = e.source AND o.operator_id = e.operator_id
            ORDER BY e.source, e.call_id, e.event_id
            """, logger: logger
        ).decode((String, Int64, Int64, String, Int64?, String?, String?, String?, String?).self) {
            inputs[SourceCallKey(source: source, externalID: callID)]?.events.append(
                ImportedCallCdr.Event(
                    eventID: eventID, type: type, operatorID: operatorID, payloadName: payloadName, operatorRowName: rowName,
                    status: status, duration: duration))
        }
        return inputs
    }

    /// The calls' queue events in the log's order: by time, then by position in the log (a queue_log event's
    /// id is its byte offset, compared as a number).
    static func loadQueued(
        _ keys: [QueueCallKey], connection: PostgresConnection, logger: Logger
    ) async throws -> [QueueCallKey: [QueueCallCdr.Event]] {
        guard !keys.isEmpty else { return [:] }
        var events: [QueueCallKey: [QueueCallCdr.Event]] = [:]
        for try await (source, callID, time, queue, agent, name, data) in try await connection.query(
            """
            SELECT t.source, t.call_id, t.event_time, t.queue, t.agent, t.event,
                   CASE WHEN jsonb_typeof(t.data) = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(t.data))
                        ELSE '{}'::text[] END
            FROM telephony_events t JOIN unnest(\(keys.map(\.source)), \(keys.map(\.callID))) AS k(s, c)
                 ON t.source = k.s AND t.call_id = k.c
            WHERE t.queue <> 'NONE'
            ORDER BY t.source, t.call_id, t.event_time, length(t.event_id), t.event_id
            """, logger: logger
        ).decode((String, String, Date, String, String, String, [String]).self) {
            events[QueueCallKey(source: source, callID: callID), default: []].append(
                QueueCallCdr.Event(time: time, queue: queue, agent: agent, name: name, data: data))
        }
        return events
    }
}
