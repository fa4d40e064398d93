import CallsCore
import CallsStore
import Foundation
import QueuePanel

/// The statistics documents written by hand, with the keys `CallSummaryJSON` and `OperatorJSON` define, in
/// the sorted order the service's encoder uses: a series of a month of days for 200 operators is 6 000
/// objects, and Foundation's encoder took most of such a request's time. `StatisticsJSONTests` holds the
/// two to the same documents.
enum StatisticsJSONWriter {
    static func summary(_ totals: CallTotals) -> String {
        var json = ""
        appendSummary(totals, start: nil, to: &json)
        return json
    }

    static func summarySeries(_ buckets: [CallTotalsBucket], groupBy: StatisticsQuery.Grouping) -> String {
        var json = "{\"buckets\":["
        json.reserveCapacity(40 + buckets.count * 260)
        for (index, bucket) in buckets.enumerated() {
            if index > 0 { json += "," }
            appendSummary(bucket.totals, start: bucket.start, to: &json)
        }
        json += "],\"group_by\":\"\(groupBy.rawValue)\"}"
        return json
    }

    static func operators(_ operators: [OperatorTotals]) -> String {
        var json = "{\"operators\":"
        appendOperators(operators, to: &json)
        json += "}"
        return json
    }

    static func operatorSeries(_ buckets: [OperatorTotalsBucket], groupBy: StatisticsQuery.Grouping) -> String {
        var json = "{\"buckets\":["
        json.reserveCapacity(40 + buckets.reduce(0) { $0 + 60 + $1.operators.count * 150 })
        for (index, bucket) in buckets.enumerated() {
            if index > 0 { json += "," }
            json += "{\"operators\":"
            appendOperators(bucket.operators, to: &json)
            json += ",\"start\":\"\(bucket.start.map(Timestamp.format) ?? "")\"}"
        }
        json += "],\"group_by\":\"\(groupBy.rawValue)\"}"
        return json
    }

    private static func appendSummary(_ totals: CallTotals, start: Date?, to json: inout String) {
        json += "{\"answered_calls\":\(totals.answeredCalls)"
        json += ",\"avg_duration_seconds\":" + average(totals.durationSeconds, over: totals.totalCalls)
        json += ",\"avg_talk_seconds\":" + average(totals.answeredTalkSeconds, over: totals.answeredCalls)
        json += ",\"avg_wait_seconds\":" + average(totals.waitSeconds, over: totals.waitedCalls)
        if let start { json += ",\"start\":\"\(Timestamp.format(start))\"" }
        json += ",\"total_calls\":\(totals.totalCalls),\"total_duration_seconds\":\(totals.durationSeconds)"
        json += ",\"unanswered_calls\":\(totals.totalCalls - totals.answeredCalls)}"
    }

    private static func appendOperators(_ operators: [OperatorTotals], to json: inout String) {
        json += "["
        for (index, totals) in operators.enumerated() {
            if index > 0 { json += "," }
            // Literal pieces and short numbers only: an interpolated piece is a heap string per entry.
            json += "{\"avg_call_duration_seconds\":"
            json += average(totals.durationSeconds, over: totals.callCount)
            json += ",\"call_count\":"
            json += String(totals.callCount)
            json += ",\"operator_id\":"
            json += String(totals.operatorID)
            json += ",\"operator_name\":"
            if let name = totals.operatorName { QueueEvent.appendJSONString(name, to: &json) } else { json += "null" }
            json += ",\"total_talk_seconds\":"
            json += String(totals.talkSeconds)
            json += "}"
        }
        json += "]"
    }

    /// The shortest decimal that reads back as the same value (finite: counts are positive).
    private static func average(_ sum: Int64, over count: Int64) -> String {
        guard let value = CallSummaryJSON.average(sum, over: count) else { return "null" }
        return value.description
    }
}
