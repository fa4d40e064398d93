import CallsCore
import CallsStore
import Foundation
import Hummingbird

/// The query parameters of `/statistics/...` → a `StatisticsQuery`, with every problem reported at once.
enum StatisticsParameters {
    /// A series has at most this many buckets (a month and a half of hours, nearly three years of days): its
    /// answer must stay small enough to be quick.
    static let maxBuckets: Int64 = 1000

    /// `filters` false: `source` and `call_type` are not read (the operators' statistics).
    static func query(from parameters: Parameters, filters: Bool) throws -> StatisticsQuery {
        var failure = ValidationFailure()
        let from = QueryText.time(parameters.get("from"), field: "from", failure: &failure)
        let to = QueryText.time(parameters.get("to"), field: "to", failure: &failure)
        if QueryText.nonEmpty(parameters.get("from")) == nil { failure.add("from", "is required (RFC 3339 time)") }
        if QueryText.nonEmpty(parameters.get("to")) == nil { failure.add("to", "is required (RFC 3339 time)") }
        if let from, let to, from >= to { failure.add("to", "must be later than from") }
        var grouping: StatisticsQuery.Grouping?
        if let text = QueryText.nonEmpty(parameters.get("group_by")) {
            if let value = StatisticsQuery.Grouping(rawValue: text) {
                grouping = value
            } else {
                failure.add("group_by", "must be hour or day")
            }
        }
        if let grouping, let from, let to, from < to {
            let buckets =
                Int64(grouping.bucket(of: to.addingTimeInterval(-0.001)).timeIntervalSince(grouping.bucket(of: from)))
                / grouping.seconds + 1
            if buckets > maxBuckets {
                failure.add("group_by", "would give \(buckets) buckets; at most \(maxBuckets) per request, ask for a shorter period")
            }
        }
        let source = filters ? QueryText.name(parameters.get("source"), field: "source", failure: &failure) : nil
        let callType = filters ? QueryText.name(parameters.get("call_type"), field: "call_type", failure: &failure) : nil
        guard failure.isEmpty, let from, let to else { throw Problem.validation(failure) }
        return StatisticsQuery(from: from, to: to, source: source, callType: callType, groupBy: grouping)
    }
}
