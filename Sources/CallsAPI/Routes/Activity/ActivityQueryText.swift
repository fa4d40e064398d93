import Activity
import CallsCore

/// The parameters both activity reads share: a user id as the events carry it, and an event type.
enum ActivityQueryText {
    /// Not trimmed: an id is what the events carried, spaces included. Checked as the API takes ids, so a
    /// user no event can have is refused rather than looked up (PostgreSQL would refuse a NUL with a 500).
    static func userID(_ text: String?, field: String, failure: inout ValidationFailure) -> String? {
        guard let text else { return nil }
        if text.isEmpty {
            failure.add(field, "must not be empty")
        } else if text.utf8.count > ActivityEventJSON.maxUserIDLength {
            failure.add(field, "must be at most \(ActivityEventJSON.maxUserIDLength) bytes")
        } else if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            failure.add(field, "must not contain control characters")
        } else {
            return text
        }
        return nil
    }

    static func type(_ text: String?, failure: inout ValidationFailure) -> ActivityEventType? {
        guard let text = QueryText.nonEmpty(text) else { return nil }
        guard let type = ActivityEventType(rawValue: text) else {
            failure.add("type", "must be one of \(ActivityEventType.allCases.map(\.rawValue).sorted().joined(separator: ", "))")
            return nil
        }
        return type
    }
}
