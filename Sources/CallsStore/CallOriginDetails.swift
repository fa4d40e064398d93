import CallsCore
import Foundation
import Logging
import PostgresNIO

/// The legs, events and operator of imported calls, read for a whole page at once (two queries, however
/// many calls) and attached to the calls' origins.
enum CallOriginDetails {
    static func attach(to calls: [Call], client: DatabaseClient, logger: Logger) async throws -> [Call] {
        let imported = calls.compactMap(\.origin)
        guard !imported.isEmpty else { return calls }
        let sources = imported.map(\.source)
        let ids = imported.map(\.externalID)
        var legs: [Key: [CallLeg]] = [:]
        for try await (source, callID, connectionID, phone, initiated, answered, finished) in try await client.query(
            """
            SELECT l.source, l.call_id, l.connection_id, l.phone, l.initiated_at, l.answered_at, l.finished_at
            FROM call_legs l JOIN unnest(\(sources), \(ids)) AS page(s, i) ON l.source = page.s AND l.call_id = page.i
            ORDER BY l.source, l.call_id, l.connection_id
            """, logger: logger
        ).decode((String, Int64, Int64, String, Date, Date?, Date?).self) {
            legs[Key(source: source, callID: callID), default: []].append(
                CallLeg(connectionID: connectionID, phone: phone, initiatedAt: initiated, answeredAt: answered, finishedAt: finished))
        }
        var events: [Key: [CallSourceEvent]] = [:]
        var operators: [Key: CallOperator] = [:]
        for try await (source, callID, eventID, type, payload, operatorID, operatorName) in try await client.query(
            """
            SELECT e.source, e.call_id, e.event_id, e.event_type, e.payload::text, e.operator_id,
                   COALESCE(o.name, e.payload ->> 'name')
            FROM call_source_events e JOIN unnest(\(sources), \(ids)) AS page(s, i) ON e.source = page.s AND e.call_id = page.i
            LEFT JOIN source_operators o ON o.source = e.source AND o.operator_id = e.operator_id
            ORDER BY e.source, e.call_id, e.event_id
            """, logger: logger
        ).decode((String, Int64, Int64, String, String, Int64?, String?).self) {
            let key = Key(source: source, callID: callID)
            events[key, default: []].append(CallSourceEvent(eventID: eventID, eventType: type, payload: try JSONValue.parse(payload)))
            // Events come in id order: the last assignment wins.
            if let operatorID { operators[key] = CallOperator(id: operatorID, name: operatorName) }
        }
        return calls.map { call in
            guard var origin = call.origin else { return call }
            let key = Key(source: origin.source, callID: origin.externalID)
            origin.legs = legs[key] ?? []
            origin.events = events[key] ?? []
            origin.operator = operators[key]
            var call = call
            call.origin = origin
            return call
        }
    }

    private struct Key: Hashable {
        var source: String
        var callID: Int64
    }
}
