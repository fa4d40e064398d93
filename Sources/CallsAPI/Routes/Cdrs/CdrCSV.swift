import CallsCore
import Foundation

/// CDRs as CSV (RFC 4180): a header row, then one row per record with the same fields as the JSON item in
/// the same order; CRLF line ends; a cell holding a comma, a quote, CR or LF is quoted, its quotes doubled;
/// null is an empty cell; times RFC 3339 UTC; booleans `true`/`false`.
///
/// Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (or a tab or CR) as a formula, so a text
/// cell that does is written with a `'` before it (`+7900…` becomes `'+7900…`): text comes from call
/// sources, not from this service. Numbers, times and booleans are written as they are.
enum CdrCSV {
    static let header =
        [
            "id", "kind", "source", "call_key", "call_id", "call_row_id", "version", "initiator_phone", "call_type",
            "scenario_id", "start_time", "end_time", "duration_seconds", "operator_id", "operator_name", "call_result",
            "number_of_connections", "number_of_events", "wait_seconds", "talk_seconds", "hold_seconds", "answered", "queue",
            "agent", "complete", "built_at",
        ].joined(separator: ",") + "\r\n"

    static let contentType = "text/csv; charset=utf-8; header=present"

    /// Whether the Accept header names `text/csv` (any parameters); anything else gets JSON.
    static func isRequested(accept values: [String]) -> Bool {
        values.flatMap { $0.split(separator: ",") }.contains { range in
            range.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == "text/csv"
        }
    }

    static func row(_ record: CallDetailRecord) -> String {
        let cells: [String] = [
            String(record.id), text(record.kind.rawValue), text(record.source), text(record.callKey), String(record.callID),
            record.callRowID?.lowercasedString ?? "", String(record.version), text(record.initiatorPhone),
            text(record.callType), text(record.scenarioID), Timestamp.format(record.startTime),
            Timestamp.format(record.endTime), String(record.durationSeconds), record.operatorID.map(String.init) ?? "",
            record.operatorName.map(text) ?? "", record.callResult.map(text) ?? "", String(record.numberOfConnections),
            String(record.numberOfEvents), record.waitSeconds.map(String.init) ?? "", String(record.talkSeconds),
            String(record.holdSeconds), String(record.answered), record.queue.map(text) ?? "",
            record.agent.map(text) ?? "", String(record.complete), Timestamp.format(record.builtAt),
        ]
        return cells.joined(separator: ",") + "\r\n"
    }

    /// A text cell: defused against formulas, then quoted when RFC 4180 needs it.
    static func text(_ value: String) -> String {
        var cell = value
        if let first = cell.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { cell = "'" + cell }
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
