import CallsCore
import CallsStore
import Foundation
import Hummingbird
import NIOCore

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
            return Self.json(StatisticsJSONWriter.summary(buckets.first?.totals ?? CallTotals()))
        }
        return Self.json(StatisticsJSONWriter.summarySeries(buckets, groupBy: grouping))
    }

    @Sendable func operators(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let query = try StatisticsParameters.query(from: request.uri.queryParameters, filters: false)
        let buckets = try await cdrs.operatorTotals(query)
        guard let grouping = query.groupBy else {
            return Self.json(StatisticsJSONWriter.operators(buckets.first?.operators ?? []))
        }
        return Self.json(StatisticsJSONWriter.operatorSeries(buckets, groupBy: grouping))
    }

    static func json(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
