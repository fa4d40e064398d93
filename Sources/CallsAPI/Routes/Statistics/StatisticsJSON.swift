import CallsCore
import CallsStore
import Foundation

/// The call summary of a period or a bucket. Averages are null when nothing is averaged over:
/// `avg_duration_seconds` = total duration / all calls; `avg_wait_seconds` = sum of waits / answered calls
/// with a wait (first answer − start); `avg_talk_seconds` = talk of answered calls / answered calls.
struct CallSummaryJSON: Encodable {
    var start: Date?
    var totals: CallTotals

    private enum CodingKeys: String, CodingKey {
        case start
        case totalCalls = "total_calls"
        case answeredCalls = "answered_calls"
        case unansweredCalls = "unanswered_calls"
        case avgDurationSeconds = "avg_duration_seconds"
        case totalDurationSeconds = "total_duration_seconds"
        case avgWaitSeconds = "avg_wait_seconds"
        case avgTalkSeconds = "avg_talk_seconds"
    }

    static func average(_ sum: Int64, over count: Int64) -> Double? {
        count > 0 ? Double(sum) / Double(count) : nil
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if let start { try container.encode(Timestamp.format(start), forKey: .start) }
        try container.encode(totals.totalCalls, forKey: .totalCalls)
        try container.encode(totals.answeredCalls, forKey: .answeredCalls)
        try container.encode(totals.totalCalls - totals.answeredCalls, forKey: .unansweredCalls)
        try container.encode(Self.average(totals.durationSeconds, over: totals.totalCalls), forKey: .avgDurationSeconds)
        try container.encode(totals.durationSeconds, forKey: .totalDurationSeconds)
        try container.encode(Self.average(totals.waitSeconds, over: totals.waitedCalls), forKey: .avgWaitSeconds)
        try container.encode(Self.average(totals.answeredTalkSeconds, over: totals.answeredCalls), forKey: .avgTalkSeconds)
    }
}

/// One operator's figures: `avg_call_duration_seconds` = total duration / its calls; `total_talk_seconds`
/// sums the talk of all its calls.
struct OperatorJSON: Encodable {
    var totals: OperatorTotals

    private enum CodingKeys: String, CodingKey {
        case operatorID = "operator_id"
        case operatorName = "operator_name"
        case callCount = "call_count"
        case avgCallDurationSeconds = "avg_call_duration_seconds"
        case totalTalkSeconds = "total_talk_seconds"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(totals.operatorID, forKey: .operatorID)
        try container.encode(totals.operatorName, forKey: .operatorName)
        try container.encode(totals.callCount, forKey: .callCount)
        try container.encode(CallSummaryJSON.average(totals.durationSeconds, over: totals.callCount), forKey: .avgCallDurationSeconds)
        try container.encode(totals.talkSeconds, forKey: .totalTalkSeconds)
    }
}

struct OperatorBucketJSON: Encodable {
    var start: String
    var operators: [OperatorJSON]
}

/// A series: `{"group_by": "hour"|"day", "buckets": [...]}`, buckets oldest first, only those with calls.
struct SeriesJSON<Bucket: Encodable>: Encodable {
    var groupBy: String
    var buckets: [Bucket]

    private enum CodingKeys: String, CodingKey {
        case groupBy = "group_by"
        case buckets
    }
}
