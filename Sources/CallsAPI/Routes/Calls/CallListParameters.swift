import CallsCore
import CallsStore
import Foundation
import Hummingbird

/// The parameters of a call list, `GET /calls` or gRPC's `ListCalls` → a `CallQuery`, with every problem
/// reported at once.
enum CallListParameters {
    static let defaultPageSize = 50
    static let maxPageSize = 200
    /// An offset makes the database walk every row it skips; deeper pages are reached with `next_cursor`.
    static let maxOffset = 10_000

    /// The parameters as given, text as in `GET /calls`' query string; nil: absent. Each transport fills them,
    /// so both are checked by the same rules and name the same fields in a 422.
    struct Values {
        var limit: String?
        var offset: String?
        var query: String?
        var phone: String?
        var from: String?
        var to: String?
        /// Comma-separated.
        var status: String?
        var tag: String?
        var source: String?
        var externalID: String?
        var mediaRecordID: String?
        var sort: String?
        var cursor: String?
    }

    static func query(from parameters: Values) throws -> CallQuery {
        var failure = ValidationFailure()
        var query = CallQuery()
        query.limit = integer(parameters.limit, default: defaultPageSize, in: 1...maxPageSize, field: "limit", failure: &failure)
        query.offset = integer(parameters.offset, default: 0, in: 0...maxOffset, field: "offset", failure: &failure)
        if let text = QueryText.nonEmpty(parameters.query) {
            let digits = PhoneNumber.searchDigits(text)
            if digits.isEmpty { failure.add("query", "must contain digits of a phone number") } else { query.digits = digits }
        }
        if let text = QueryText.nonEmpty(parameters.phone) {
            if let digits = PhoneNumber.normalizedDigits(text) {
                query.phone = digits
            } else {
                failure.add(
                    "phone", "must be a phone number of \(PhoneNumber.digitRange.lowerBound) to \(PhoneNumber.digitRange.upperBound) digits"
                )
            }
        }
        query.startedFrom = QueryText.time(parameters.from, field: "from", failure: &failure)
        query.startedBefore = QueryText.time(parameters.to, field: "to", failure: &failure)
        if let from = query.startedFrom, let to = query.startedBefore, from >= to {
            failure.add("to", "must be later than from")
        }
        if let text = QueryText.nonEmpty(parameters.status) {
            for name in text.split(separator: ",") {
                if let status = CallStatus(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased()) {
                    query.statuses.append(status)
                } else {
                    failure.add("status", "must be created, processing, ready or failed (comma-separated for several)")
                    break
                }
            }
        }
        if let text = QueryText.nonEmpty(parameters.tag) {
            let tags = CallTags.normalized([text], field: "tag", failure: &failure)
            query.tag = tags.first
        }
        query.source = QueryText.name(parameters.source, field: "source", failure: &failure)?.lowercased()
        if let text = QueryText.nonEmpty(parameters.externalID) {
            if let id = Int64(text) { query.externalID = id } else { failure.add("external_id", "must be a whole number") }
            if query.source == nil { failure.add("source", "is required with external_id") }
        }
        query.mediaRecordID = QueryText.name(parameters.mediaRecordID, field: "media_record_id", failure: &failure)
        if let text = QueryText.nonEmpty(parameters.sort) {
            if let order = CallOrder(rawValue: text) {
                query.order = order
            } else {
                failure.add("sort", "must be -started_at (newest first, the default) or started_at (oldest first)")
            }
        }
        if let token = QueryText.nonEmpty(parameters.cursor) {
            if let cursor = CallCursor(token: token) {
                if parameters.sort != nil, cursor.order != query.order {
                    failure.add("cursor", "was made for the other sort order")
                }
                if parameters.offset != nil { failure.add("offset", "cannot be combined with cursor") }
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

extension CallListParameters.Values {
    /// `GET /calls`' query string.
    init(_ parameters: Parameters) {
        self.init(
            limit: parameters.get("limit"), offset: parameters.get("offset"), query: parameters.get("query"),
            phone: parameters.get("phone"), from: parameters.get("from"), to: parameters.get("to"),
            status: parameters.get("status"), tag: parameters.get("tag"), source: parameters.get("source"),
            externalID: parameters.get("external_id"), mediaRecordID: parameters.get("media_record_id"),
            sort: parameters.get("sort"), cursor: parameters.get("cursor"))
    }
}
