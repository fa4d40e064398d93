import CallsCore
import CallsStore
import Hummingbird

/// `GET /api/v1/aggregates` parameters → an `ActivityAggregateQuery`, every problem reported at once.
/// `from` and `to` are calendar days (`YYYY-MM-DD`; with `period=month` also `YYYY-MM`, a day standing for
/// its month), both included. Left out, `to` is today in `CALLS_ACTIVITY_TIMEZONE` and `from` starts the 31
/// days (12 months) that end with `to`.
enum ActivityAggregateParameters {
    static let defaultDays = 31
    static let defaultMonths = 12
    /// Ten years of days (or months) at most: the answer of a longer span would be megabytes.
    static let maxDays = 3660
    static let maxMonths = 120

    static func query(from parameters: Parameters, today: ActivityDay) throws -> ActivityAggregateQuery {
        var failure = ValidationFailure()
        var period: ActivityAggregateQuery.Period?
        if let text = QueryText.nonEmpty(parameters.get("period")) {
            period = ActivityAggregateQuery.Period(rawValue: text)
            if period == nil { failure.add("period", "must be day or month") }
        } else {
            failure.add("period", "is required: day or month")
        }
        let from = day(parameters.get("from"), field: "from", period: period, failure: &failure)
        let to = day(parameters.get("to"), field: "to", period: period, failure: &failure)
        let type = ActivityQueryText.type(parameters.get("type"), failure: &failure)
        let user = ActivityQueryText.userID(parameters.get("user_id"), field: "user_id", failure: &failure)
        guard failure.isEmpty, let period, case .valid(let fromDay) = from, case .valid(let toDay) = to else {
            throw Problem.validation(failure)
        }
        var query: ActivityAggregateQuery
        switch period {
        case .day:
            let last = toDay ?? today
            query = ActivityAggregateQuery(period: .day, from: fromDay ?? last.adding(days: 1 - defaultDays), to: last)
            let days = Int(query.to.daysSince1970) - Int(query.from.daysSince1970) + 1
            if days < 1 { failure.add("to", "must not be before from") }
            if days > maxDays { failure.add("to", "spans \(days) days; at most \(maxDays) per request, ask for a shorter period") }
        case .month:
            let last = (toDay ?? today).monthStart
            query = ActivityAggregateQuery(
                period: .month, from: fromDay?.monthStart ?? last.monthStart(adding: 1 - defaultMonths), to: last)
            let months = query.from.months(to: query.to) + 1
            if months < 1 { failure.add("to", "must not be before from") }
            if months > maxMonths {
                failure.add("to", "spans \(months) months; at most \(maxMonths) per request, ask for a shorter period")
            }
        }
        guard failure.isEmpty else { throw Problem.validation(failure) }
        query.type = type
        query.userID = user
        return query
    }

    enum DayText {
        /// Nil inside: the parameter was left out.
        case valid(ActivityDay?)
        case invalid
    }

    /// A day, or for months (and while the period is unknown, so both spellings are judged) also a month.
    static func day(
        _ text: String?, field: String, period: ActivityAggregateQuery.Period?, failure: inout ValidationFailure
    ) -> DayText {
        guard let text = QueryText.nonEmpty(text) else { return .valid(nil) }
        if let day = ActivityDay(text: text) { return .valid(day) }
        if period != .day, let month = ActivityDay(monthText: text) { return .valid(month) }
        failure.add(field, period == .day ? "must be a date YYYY-MM-DD" : "must be a date YYYY-MM-DD or a month YYYY-MM")
        return .invalid
    }
}
