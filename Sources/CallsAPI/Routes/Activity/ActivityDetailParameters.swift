import CallsCore
import CallsStore
import Hummingbird

/// `GET /api/v1/users/{user_id}/detail` parameters → an `ActivityDetailQuery`, every problem reported at once.
/// `from` and `to` are read as `GET /cdrs` reads them: RFC 3339, the period half-open [from, to).
enum ActivityDetailParameters {
    static let defaultPageSize = 100
    static let maxPageSize = 1000

    static func query(userID: String?, parameters: Parameters) throws -> ActivityDetailQuery {
        var failure = ValidationFailure()
        let user = ActivityQueryText.userID(userID ?? "", field: "user_id", failure: &failure)
        var limit = defaultPageSize
        if let text = QueryText.nonEmpty(parameters.get("limit")) {
            if let value = Int(text), (1...maxPageSize).contains(value) {
                limit = value
            } else {
                failure.add("limit", "must be a whole number from 1 to \(maxPageSize)")
            }
        }
        let from = QueryText.time(parameters.get("from"), field: "from", failure: &failure)
        let to = QueryText.time(parameters.get("to"), field: "to", failure: &failure)
        if let from, let to, from >= to { failure.add("to", "must be later than from") }
        let type = ActivityQueryText.type(parameters.get("type"), failure: &failure)
        var after: ActivityCursor?
        if let token = QueryText.nonEmpty(parameters.get("cursor")) {
            after = ActivityCursor(token: token)
            if after == nil { failure.add("cursor", "is not a next_cursor this API returned") }
        }
        guard failure.isEmpty, let user else { throw Problem.validation(failure) }
        return ActivityDetailQuery(userID: user, from: from, to: to, type: type, after: after, limit: limit)
    }
}
