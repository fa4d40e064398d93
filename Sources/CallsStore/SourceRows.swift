import CallsCore
import Foundation
import Logging
import PostgresNIO

/// The upsert of each kind of imported item. An item fetched again updates its row only when something in
/// it changed, so the triggers that queue CDR rebuilds fire for real changes only.
enum SourceRows {
    static func upsert(_ item: SourceItem, source: String, connection: PostgresConnection, logger: Logger) async throws {
        switch item {
        case .call(let call): try await upsert(call, source: source, connection: connection, logger: logger)
        case .connection(let leg): try await upsert(leg, source: source, connection: connection, logger: logger)
        case .event(let event):
            try await connection.query(
                """
                INSERT INTO call_source_events (source, event_id, call_id, event_type, payload, operator_id)
                VALUES (\(source), \(event.eventID), \(event.callID), \(event.eventType), \(event.payload)::jsonb, \(event.operatorID))
                ON CONFLICT (source, event_id) DO UPDATE
                SET call_id = EXCLUDED.call_id, event_type = EXCLUDED.event_type, payload = EXCLUDED.payload,
                    operator_id = EXCLUDED.operator_id, updated_at = now()
                WHERE (call_source_events.call_id, call_source_events.event_type, call_source_events.payload,
                       call_source_events.operator_id)
                      IS DISTINCT FROM (EXCLUDED.call_id, EXCLUDED.event_type, EXCLUDED.payload, EXCLUDED.operator_id)
                """, logger: logger)
        case .operator(let person):
            try await connection.query(
                """
                INSERT INTO source_operators (source, operator_id, name, extension, email)
                VALUES (\(source), \(person.operatorID), \(person.name), \(person.extension), \(person.email))
                ON CONFLICT (source, operator_id) DO UPDATE
                SET name = EXCLUDED.name, extension = EXCLUDED.extension, email = EXCLUDED.email, updated_at = now()
                WHERE (source_operators.name, source_operators.extension, source_operators.email)
                      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.extension, EXCLUDED.email)
                """, logger: logger)
        }
    }

    /// The receiver is the first leg's phone: taken from a leg already here, or set by the first leg to come.
    static func upsert(_ call: SourceCall, source: String, connection: PostgresConnection, logger: Logger) async throws {
        let callerDigits = PhoneNumber.searchDigits(call.initiatorPhone)
        try await connection.query(
            """
            WITH leg AS (
                SELECT phone, phone_digits FROM call_legs WHERE source = \(source) AND call_id = \(call.callID)
                ORDER BY connection_id LIMIT 1
            )
            INSERT INTO calls (id, caller, receiver, caller_digits, receiver_digits, started_at, ended_at, direction,
                               scenario_id, media_record_id, context, source, external_id)
            VALUES (gen_random_uuid(), \(call.initiatorPhone), coalesce((SELECT phone FROM leg), ''), \(callerDigits),
                    coalesce((SELECT phone_digits FROM leg), ''), \(call.initiatedAt), \(call.finishedAt), \(call.callType),
                    \(call.scenarioID), \(call.mediaRecordID), \(call.context)::jsonb, \(source), \(call.callID))
            ON CONFLICT (source, external_id) WHERE source IS NOT NULL DO UPDATE
            SET caller = EXCLUDED.caller, caller_digits = EXCLUDED.caller_digits, started_at = EXCLUDED.started_at,
                ended_at = EXCLUDED.ended_at, direction = EXCLUDED.direction, scenario_id = EXCLUDED.scenario_id,
                media_record_id = EXCLUDED.media_record_id, context = EXCLUDED.context, updated_at = now()
            WHERE (calls.caller, calls.started_at, calls.ended_at, calls.direction, calls.scenario_id, calls.media_record_id,
                   calls.context)
                  IS DISTINCT FROM (EXCLUDED.caller, EXCLUDED.started_at, EXCLUDED.ended_at, EXCLUDED.direction,
                                    EXCLUDED.scenario_id, EXCLUDED.media_record_id, EXCLUDED.context)
            """, logger: logger)
    }

    static func upsert(_ leg: SourceConnection, source: String, connection: PostgresConnection, logger: Logger) async throws {
        let digits = PhoneNumber.searchDigits(leg.phone)
        try await connection.query(
            """
            INSERT INTO call_legs (source, connection_id, call_id, phone, phone_digits, initiated_at, answered_at, finished_at)
            VALUES (\(source), \(leg.connectionID), \(leg.callID), \(leg.phone), \(digits), \(leg.initiatedAt), \(leg.answeredAt),
                    \(leg.finishedAt))
            ON CONFLICT (source, connection_id) DO UPDATE
            SET call_id = EXCLUDED.call_id, phone = EXCLUDED.phone, phone_digits = EXCLUDED.phone_digits,
                initiated_at = EXCLUDED.initiated_at, answered_at = EXCLUDED.answered_at, finished_at = EXCLUDED.finished_at,
                updated_at = now()
            WHERE (call_legs.call_id, call_legs.phone, call_legs.initiated_at, call_legs.answered_at, call_legs.finished_at)
                  IS DISTINCT FROM (EXCLUDED.call_id, EXCLUDED.phone, EXCLUDED.initiated_at, EXCLUDED.answered_at,
                                    EXCLUDED.finished_at)
            """, logger: logger)
        try await connection.query(
            """
            UPDATE calls SET receiver = \(leg.phone), receiver_digits = \(digits), updated_at = now()
            WHERE source = \(source) AND external_id = \(leg.callID) AND receiver = ''
            """, logger: logger)
    }
}
