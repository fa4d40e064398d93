import CallsCore
import Foundation

/// Reading query parameters the way every list and statistics endpoint does: blank is absent, problems are
/// collected field by field.
enum QueryText {
    static func nonEmpty(_ text: String?) -> String? {
        guard let text else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    static func time(_ text: String?, field: String, failure: inout ValidationFailure) -> Date? {
        guard let text = nonEmpty(text) else { return nil }
        guard let date = Timestamp.parse(text) else {
            failure.add(field, "must be an RFC 3339 time, e.g. 2026-11-21T09:30:00Z")
            return nil
        }
        return date
    }

    /// A name such as a source or a call result: at most 200 characters, no control characters (PostgreSQL
    /// refuses U+0000 in a parameter: without this check it would be a 500).
    static func name(_ text: String?, field: String, failure: inout ValidationFailure) -> String? {
        guard let text = nonEmpty(text) else { return nil }
        guard text.count <= 200 else {
            failure.add(field, "must be at most 200 characters")
            return nil
        }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            failure.add(field, "must not contain control characters")
            return nil
        }
        return text
    }
}
