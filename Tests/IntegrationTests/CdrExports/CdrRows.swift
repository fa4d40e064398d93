import CallsStore
import Foundation
import PostgresNIO

/// `cdrs` rows written directly, as the CDR builder would write them.
enum CdrRows {
    /// Inserts a CDR whose consumer `call_id` is `callID`; returns its row id.
    @discardableResult
    static func insert(_ postgres: PostgresClient, callID: Int64, durationSeconds: Int = 125, operatorID: Int64? = 7) async throws -> Int64
    {
        let rows = try await postgres.query(
            insertion(callID: callID, durationSeconds: durationSeconds, operatorID: operatorID), logger: TestServices.logger)
        for try await id in rows.decode(Int64.self) { return id }
        throw SetupError("inserting a CDR returned no id")
    }

    /// The INSERT of `insert`, for a test that runs it on a connection of its own.
    static func insertion(callID: Int64, source: String = "crm", durationSeconds: Int = 125, operatorID: Int64? = 7) -> PostgresQuery {
        """
        INSERT INTO cdrs (kind, source, call_key, call_id, initiator_phone, call_type, scenario_id, start_time, end_time,
                          duration_seconds, operator_id, operator_name, call_result, number_of_connections,
                          number_of_events, talk_seconds, hold_seconds, answered, complete)
        VALUES ('import', \(source), \(String(callID)), \(callID), '+15550100', 'inbound', 'sc-1',
                '2026-11-21T09:30:00Z', '2026-11-21T09:30:00Z'::timestamptz + make_interval(secs => \(Double(durationSeconds))),
                \(durationSeconds), \(operatorID), \(operatorID.map { _ in "Ann" }), 'resolved', 2, 5, 100, 0, true, true)
        RETURNING id
        """
    }

    /// A rebuild: the next version with another duration.
    static func rebuild(_ postgres: PostgresClient, id: Int64, durationSeconds: Int) async throws {
        _ = try await postgres.query(
            "UPDATE cdrs SET version = version + 1, duration_seconds = \(durationSeconds) WHERE id = \(id)",
            logger: TestServices.logger
        ).collect()
    }

    /// The CDR's delivery to `consumer`, nil while none is scheduled.
    static func delivery(_ postgres: PostgresClient, id: Int64, consumer: String) async throws -> CdrDelivery? {
        try await PostgresCdrExports(client: postgres, logger: TestServices.logger).deliveries(cdrID: id)?
            .deliveries.first { $0.consumer == consumer }
    }
}
