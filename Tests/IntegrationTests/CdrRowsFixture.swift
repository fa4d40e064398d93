import CallsCore
import Foundation
import PostgresNIO

/// Writes `CallDetailRecord`s straight into `cdrs`, as the CDR builder would, for the API's tests. Times go
/// in as whole microseconds so they read back exactly.
enum CdrRowsFixture {
    static let columns = """
        id, kind, source, call_key, call_id, call_row_id, version, initiator_phone, call_type, scenario_id, start_time, \
        end_time, duration_seconds, operator_id, operator_name, call_result, number_of_connections, number_of_events, \
        wait_seconds, talk_seconds, hold_seconds, answered, queue, agent, complete, built_at
        """

    static func micros(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }

    /// One INSERT per 400 records, so the statistics triggers also see statements of many rows.
    static func insert(_ records: [CallDetailRecord], client: PostgresClient, logger: Logger) async throws {
        for start in stride(from: 0, to: records.count, by: 400) {
            var bindings = PostgresBindings()
            var rows: [String] = []
            for record in records[start..<min(start + 400, records.count)] {
                var cells: [String] = []
                func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) {
                    bindings.append(value)
                    cells.append("$\(bindings.count)")
                }
                func time(_ date: Date) {
                    bindings.append(micros(date))
                    cells.append("timestamptz 'epoch' + $\(bindings.count) * interval '1 microsecond'")
                }
                bind(record.id)
                bind(record.kind.rawValue)
                bind(record.source)
                bind(record.callKey)
                bind(record.callID)
                bind(record.callRowID)
                bind(record.version)
                bind(record.initiatorPhone)
                bind(record.callType)
                bind(record.scenarioID)
                time(record.startTime)
                time(record.endTime)
                bind(record.durationSeconds)
                bind(record.operatorID)
                bind(record.operatorName)
                bind(record.callResult)
                bind(record.numberOfConnections)
                bind(record.numberOfEvents)
                bind(record.waitSeconds)
                bind(record.talkSeconds)
                bind(record.holdSeconds)
                bind(record.answered)
                bind(record.queue)
                bind(record.agent)
                bind(record.complete)
                time(record.builtAt)
                rows.append("(" + cells.joined(separator: ", ") + ")")
            }
            _ = try await client.query(
                PostgresQuery(unsafeSQL: "INSERT INTO cdrs (\(columns)) VALUES \(rows.joined(separator: ", "))", binds: bindings),
                logger: logger)
        }
    }

    /// Rewrites each record's row with its current values (the CDR builder's new version of it).
    static func update(_ records: [CallDetailRecord], client: PostgresClient, logger: Logger) async throws {
        for record in records {
            _ = try await client.query(
                """
                UPDATE cdrs SET source = \(record.source), call_type = \(record.callType),
                    start_time = timestamptz 'epoch' + \(micros(record.startTime)) * interval '1 microsecond',
                    duration_seconds = \(record.durationSeconds), operator_id = \(record.operatorID),
                    operator_name = \(record.operatorName), wait_seconds = \(record.waitSeconds),
                    talk_seconds = \(record.talkSeconds), answered = \(record.answered), call_result = \(record.callResult),
                    version = version + 1
                WHERE id = \(record.id)
                """, logger: logger)
        }
    }
}
