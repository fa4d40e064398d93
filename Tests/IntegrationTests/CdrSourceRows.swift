import CallsCore
import CallsStore
import Foundation
import PostgresNIO

/// Writes a source's rows the way the fetchers store them (plain SQL, so the tests depend on the schema
/// only), and reads CDRs back.
struct CdrSourceRows {
    let client: PostgresClient

    /// 2026-11-28 10:00:00 UTC, plus `seconds`.
    static func at(_ seconds: Double) -> Date {
        Date(timeIntervalSince1970: 1_795_860_000 + seconds)
    }

    func run(_ query: PostgresQuery) async throws {
        for try await _ in try await client.query(query, logger: TestServices.logger) {}
    }

    @discardableResult
    func call(
        _ externalID: Int64, source: String = "crm", caller: String = "+49 30 1234567", scenario: String? = "sales-ivr",
        started: Date = at(0), ended: Date?
    ) async throws -> UUID {
        let id = UUID()
        let digits = caller.filter(\.isNumber)
        try await run(
            """
            INSERT INTO calls (id, caller, receiver, caller_digits, receiver_digits, started_at, source, external_id, direction,
                               scenario_id, ended_at)
            VALUES (\(id), \(caller), '', \(digits), '', \(started), \(source), \(externalID), 'inbound', \(scenario), \(ended))
            """)
        return id
    }

    func leg(
        _ connectionID: Int64, call: Int64, source: String = "crm", initiated: Date, answered: Date?, finished: Date?
    ) async throws {
        try await run(
            """
            INSERT INTO call_legs (source, connection_id, call_id, phone, phone_digits, initiated_at, answered_at, finished_at)
            VALUES (\(source), \(connectionID), \(call), '+49 30 555', '4930555', \(initiated), \(answered), \(finished))
            ON CONFLICT (source, connection_id) DO UPDATE
            SET initiated_at = EXCLUDED.initiated_at, answered_at = EXCLUDED.answered_at, finished_at = EXCLUDED.finished_at,
                updated_at = now()
            """)
    }

    /// An event and its payload (JSON text); `operator_assigned` lifts the operator id out of it, as the
    /// fetcher does. Stored again (a redelivery), it changes only `updated_at`.
    func event(_ eventID: Int64, call: Int64, source: String = "crm", _ type: String, _ payload: String = "{}") async throws {
        try await run(
            """
            INSERT INTO call_source_events (source, event_id, call_id, event_type, payload, operator_id)
            VALUES (\(source), \(eventID), \(call), \(type), \(payload)::jsonb,
                    CASE WHEN \(type) = 'operator_assigned' THEN (\(payload)::jsonb->>'operator_id')::bigint END)
            ON CONFLICT (source, event_id) DO UPDATE
            SET event_type = EXCLUDED.event_type, payload = EXCLUDED.payload, operator_id = EXCLUDED.operator_id,
                updated_at = now()
            """)
    }

    func operatorRow(_ operatorID: Int64, source: String = "crm", name: String, email: String? = nil) async throws {
        try await run(
            """
            INSERT INTO source_operators (source, operator_id, name, extension, email)
            VALUES (\(source), \(operatorID), \(name), '201', \(email))
            ON CONFLICT (source, operator_id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, updated_at = now()
            """)
    }

    /// A queue_log event as the panel stores it; `id` is its byte offset.
    func queueEvent(
        _ id: Int, call: String, source: String = "pbx1", at time: Date, queue: String = "support", agent: String = "NONE",
        _ name: String, _ data: [String] = []
    ) async throws {
        let json = "[" + data.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        try await run(
            """
            INSERT INTO telephony_events (source, event_id, event_time, call_id, queue, agent, event, data)
            VALUES (\(source), \(String(id)), \(time), \(call), \(queue), \(agent), \(name), \(json)::jsonb)
            """)
    }

    /// The CDR of a call, with its `change_seq`.
    func cdr(_ kind: CallDetailRecord.Kind = .import, source: String = "crm", key: String) async throws -> (CallDetailRecord, Int64)? {
        let rows = try await client.query(
            """
            SELECT \(unescaped: CdrRow.columns), d.change_seq FROM cdrs d
            WHERE d.kind = \(kind.rawValue) AND d.source = \(source) AND d.call_key = \(key)
            """, logger: TestServices.logger)
        for try await row in rows {
            return (try CdrRow.decode(row), try row.makeRandomAccess()[CdrRow.columnCount].decode(Int64.self))
        }
        return nil
    }

    func count(_ sql: String) async throws -> Int {
        for try await count in try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestServices.logger).decode(Int.self) {
            return count
        }
        return 0
    }

    /// Makes a waiting call's grace period over, as if it had been first seen an hour ago.
    func ageQueue() async throws {
        try await run("UPDATE cdr_pending SET first_seen_at = first_seen_at - interval '1 hour', due_at = now()")
    }
}
