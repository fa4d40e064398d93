import CallsCore
import CallsStore
import Foundation
import Hummingbird

/// `GET /calls` query parameters → a `CallQuery`, with every problem reported at once.
enum CallListParameters {
    static let defaultPageSize = 50
    static let maxPageSize = 200
    /// An offset makes the database walk every row it skips; deeper pages are reached with `next_cursor`.
    static let maxOffset = 10_000

    static func query(from parameters: Parameters) throws -> CallQuery {
        var failure = ValidationFailure()
        var query = CallQuery()
        query.limit = integer(parameters.get("limit"), default: defaultPageSize, in: 1...maxPageSize, field: "limit", failure: &failure)
        query.offset = integer(parameters.get("offset"), default: 0, in: 0...maxOffset, field: "offset", failure: &failure)
        if let text = QueryText.nonEmpty(parameters.get("query")) {
            let digits = PhoneNumber.searchDigits(text)
            if digits.isEmpty { failure.add("query", "must contain digits of a phone number") } else { query.digits = digits }
        }
        if let text = QueryText.nonEmpty(parameters.get("phone")) {
            if let digits = PhoneNumber.normalizedDigits(text) {
                query.phone = digits
            } else {
                failure.add(
                    "phone", "must be a phone number of \(PhoneNumber.digitRange.lowerBound) to \(PhoneNumber.digitRange.upperBound) digits"
                )
            }
        }
        query.startedFrom = QueryText.time(parameters.get("from"), field: "from", failure: &failure)
        query.startedBefore = QueryText.time(parameters.get("to"), field: "to", failure: &failure)
        if let from = query.startedFrom, let to = query.startedBefore, from >= to {
            failure.add("to", "must be later than from")
        }
        if let text = QueryText.nonEmpty(parameters.get("status")) {
            for name in text.split(separator: ",") {
                if let status = CallStatus(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased()) {
                    query.statuses.append(status)
                } else {
                    failure.add("status", "must be created, processing, ready or failed (comma-separated for several)")
                    break
                }
            }
        }
        if let text = QueryText.nonEmpty(parameters.get("tag")) {
            let tags = CallTags.normalized([text], field: "tag", failure: &failure)
            query.tag = tags.first
        }
        query.source = QueryText.name(parameters.get("source"), field: "source", failure: &failure)?.lowercased()
        if let text = QueryText.nonEmpty(parameters.get("external_id")) {
            if let id = Int64(text) { query.externalID = id } else { failure.add("external_id", "must be a whole number") }
            if query.source == nil { failure.add("source", "is required with external_id") }
        }
        query.mediaRecordID = QueryText.name(parameters.get("media_record_id"), field: "media_record_id", failure: &failure)
        if let text = QueryText.nonEmpty(parameters.get("sort")) {
            if let order = CallOrder(rawValue: text) {
                query.order = order
            } else {
                failure.add("sort", "must be -started_at (newest first, the default) or started_at (oldest first)")
            }
        }
        if let token = QueryText.nonEmpty(parameters.get("cursor")) {
            if let cursor = CallCursor(token: token) {
                if parameters.get("sort") != nil, cursor.order != query.order {
                    failure.add("cursor", "was made for the other sort order")
                }
                if parameters.get("offset") != nil { failure.add("offset", "cannot be combined with cursor") }
                query.order = cursor.order
                query.after = cursor
            } else {
                failure.add("cursor", "is not a next_cursor this API returned")
            }
        }
        guard failure.isEmpty else { throw Problem.validation(failure) }
        return query
    }

    private static func integer(
        _ text: String?, default defaultValue: Int, in range: ClosedRange<Int>, field: String,
        failure: inout ValidationFailure
    ) -> Int {
        guard let text = QueryText.nonEmpty(text) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            failure.add(field, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            return defaultValue
        }
        return value
    }
}
