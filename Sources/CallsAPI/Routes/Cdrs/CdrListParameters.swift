import CallsCore
import CallsStore
import Foundation
import Hummingbird

/// `GET /cdrs` query parameters → a `CdrQuery`, with every problem reported at once.
enum CdrListParameters {
    static let defaultPageSize = 100
    static let maxPageSize = 1000

    static func query(from parameters: Parameters) throws -> CdrQuery {
        var failure = ValidationFailure()
        var query = CdrQuery(limit: defaultPageSize)
        if let text = QueryText.nonEmpty(parameters.get("limit")) {
            if let limit = Int(text), (1...maxPageSize).contains(limit) {
                query.limit = limit
            } else {
                failure.add("limit", "must be a whole number from 1 to \(maxPageSize)")
            }
        }
        query.from = QueryText.time(parameters.get("from"), field: "from", failure: &failure)
        query.to = QueryText.time(parameters.get("to"), field: "to", failure: &failure)
        if let from = query.from, let to = query.to, from >= to { failure.add("to", "must be later than from") }
        if let text = QueryText.nonEmpty(parameters.get("operator_id")) {
            if let id = Int64(text), id >= 0 {
                query.operatorID = id
            } else {
                failure.add("operator_id", "must be a whole number from 0")
            }
        }
        query.result = QueryText.name(parameters.get("result"), field: "result", failure: &failure)
        query.source = QueryText.name(parameters.get("source"), field: "source", failure: &failure)
        if let token = QueryText.nonEmpty(parameters.get("cursor")) {
            if let cursor = CdrCursor(token: token) {
                query.after = cursor
            } else {
                failure.add("cursor", "is not a next_cursor this API returned")
            }
        }
        guard failure.isEmpty else { throw Problem.validation(failure) }
        return query
    }
}
