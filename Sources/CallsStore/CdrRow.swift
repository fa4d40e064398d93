import CallsCore
import Foundation
import PostgresNIO

/// The one SELECT list that turns a `cdrs` row (aliased `d`) into a `CallDetailRecord`.
public enum CdrRow {
    public static let columns = """
        d.id, d.kind, d.source, d.call_key, d.call_id, d.call_row_id, d.version, d.initiator_phone, d.call_type, \
        d.scenario_id, d.start_time, d.end_time, d.duration_seconds, d.operator_id, d.operator_name, d.call_result, \
        d.number_of_connections, d.number_of_events, d.wait_seconds, d.talk_seconds, d.hold_seconds, d.answered, \
        d.queue, d.agent, d.complete, d.built_at
        """

    /// How many columns `columns` holds; a query may add its own after them.
    public static let columnCount = 26

    public static func decode(_ row: PostgresRow) throws -> CallDetailRecord {
        let cells = row.makeRandomAccess()
        let kindText = try cells[1].decode(String.self)
        guard let kind = CallDetailRecord.Kind(rawValue: kindText) else {
            throw PostgresStoreError("unknown CDR kind '\(kindText)'")
        }
        return CallDetailRecord(
            id: try cells[0].decode(Int64.self), kind: kind, source: try cells[2].decode(String.self),
            callKey: try cells[3].decode(String.self), callID: try cells[4].decode(Int64.self),
            callRowID: try cells[5].decode(UUID?.self), version: try cells[6].decode(Int.self),
            initiatorPhone: try cells[7].decode(String.self), callType: try cells[8].decode(String.self),
            scenarioID: try cells[9].decode(String.self), startTime: try cells[10].decode(Date.self),
            endTime: try cells[11].decode(Date.self), durationSeconds: try cells[12].decode(Int.self),
            operatorID: try cells[13].decode(Int64?.self), operatorName: try cells[14].decode(String?.self),
            callResult: try cells[15].decode(String?.self), numberOfConnections: try cells[16].decode(Int.self),
            numberOfEvents: try cells[17].decode(Int.self), waitSeconds: try cells[18].decode(Int?.self),
            talkSeconds: try cells[19].decode(Int.self), holdSeconds: try cells[20].decode(Int.self),
            answered: try cells[21].decode(Bool.self), queue: try cells[22].decode(String?.self),
            agent: try cells[23].decode(String?.self), complete: try cells[24].decode(Bool.self),
            builtAt: try cells[25].decode(Date.self))
    }
}
