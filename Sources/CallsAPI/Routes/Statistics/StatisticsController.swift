import CallsCore
import CallsStore
import Foundation
import Hummingbird

/// `/statistics` (role read): call counts and durations of a period, overall or per operator, optionally as
/// a series of UTC hours or days. Periods are by CDR `start_time`, half-open: [from, to).
struct StatisticsController: Sendable {
    let cdrs: any CdrReader

    func addRoutes(to routes: AccessGroups) {
        routes.read.get("/statistics/calls/summary", use: summary)
        routes.read.get("/statistics/operators", use: operators)
    }

    @Sendable func summary(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let query = try StatisticsParameters.query(from: request.uri.queryParameters, filters: true)
        let buckets = try await cdrs.callTotals(query)
        guard let grouping = query.groupBy else {
            return try .json(CallSummaryJSON(start: nil, totals: buckets.first?.totals ?? CallTotals()))
        }
        return try .json(
            SeriesJSON(groupBy: grouping.rawValue, buckets: buckets.map { CallSummaryJSON(start: $0.start, totals: $0.totals) }))
    }

    @Sendable func operators(_ request: Request, context: CallsRequestContext) async throws -> Response {
        struct Operators: Encodable { var operators: [OperatorJSON] }
        let query = try StatisticsParameters.query(from: request.uri.queryParameters, filters: false)
        let buckets = try await cdrs.operatorTotals(query)
        guard let grouping = query.groupBy else {
            return try .json(Operators(operators: (buckets.first?.operators ?? []).map(OperatorJSON.init)))
        }
        return try .json(
            SeriesJSON(
                groupBy: grouping.rawValue,
                buckets: buckets.map { bucket in
                    OperatorBucketJSON(start: bucket.start.map(Timestamp.format) ?? "", operators: bucket.operators.map(OperatorJSON.init))
                }))
    }
}
