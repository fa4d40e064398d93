import CallsStore
import Foundation
import Hummingbird

/// What the activity read routes need.
struct ActivityReadDependencies: Sendable {
    var reads: any ActivityReads
    /// Nil: every aggregate read goes to the database (`CALLS_ACTIVITY_CACHE_SECONDS=0`).
    var cache: ActivityAggregateCache?
    /// Whose today the aggregates' default period ends with (`CALLS_ACTIVITY_TIMEZONE`).
    var timeZone: TimeZone
    var now: @Sendable () -> Date = { Date() }
}

/// `/api/v1/users/{user_id}/detail` and `/api/v1/aggregates` (role read): a user's raw events in keyset pages,
/// newest first, and the day or month aggregates of a user or of everyone, through the aggregate cache.
struct ActivityReadsController: Sendable {
    let activity: ActivityReadDependencies

    func addRoutes(to routes: AccessGroups) {
        routes.read.get("/api/v1/users/:user_id/detail", use: detail)
        routes.read.get("/api/v1/aggregates", use: aggregates)
    }

    @Sendable func detail(_ request: Request, context: CallsRequestContext) async throws -> Response {
        // The router hands path parameters over as they were sent, percent-encoded.
        let userID = context.parameters.get("user_id").map { $0.removingPercentEncoding ?? $0 }
        let query = try ActivityDetailParameters.query(userID: userID, parameters: request.uri.queryParameters)
        return StatisticsController.json(ActivityJSONWriter.detail(try await activity.reads.detail(query)))
    }

    @Sendable func aggregates(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let today = ActivityDay(of: activity.now(), in: activity.timeZone)
        let query = try ActivityAggregateParameters.query(from: request.uri.queryParameters, today: today)
        let reads = activity.reads
        let read: @Sendable () async throws -> String = {
            ActivityJSONWriter.aggregates(try await reads.aggregates(query), period: query.period)
        }
        guard let cache = activity.cache else { return StatisticsController.json(try await read()) }
        return StatisticsController.json(try await cache.answer(query, logger: context.logger, read: read))
    }
}
