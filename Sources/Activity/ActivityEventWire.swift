import CallsCore
import Foundation

/// An event's fields as sent, each kept apart from its type errors so the refusal can name the field.
struct ActivityEventWire {
    /// In the order their type is checked in: the first field of the wrong type is the one refused.
    enum Field: String, CaseIterable {
        case eventID = "event_id"
        case sourceID = "source_id"
        case userID = "user_id"
        case type
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case durationSeconds = "duration_sec"
        case bytesUp = "bytes_up"
        case bytesDown = "bytes_down"
    }

    var strings = FieldValues<String>()
    var counters = FieldValues<Int64>()
    /// The first field whose value has the wrong type, with what it must be.
    var mistyped: (field: Field, expected: String)?

    /// The raw text of the item's `meta` member, if it has one.
    var meta: ArraySlice<UInt8>?
    /// Why `meta` is not a JSON object `jsonb` takes (see `StrictJSON`), nil when it is.
    var metaRefusal: StrictJSON.Refusal?

    func event(receivedAt: Date, window: ActivityTimeWindow) throws(ActivityEventJSON.Refusal) -> ActivityEvent {
        if let mistyped { throw .init(reason: "'\(mistyped.field.rawValue)' must be \(mistyped.expected)") }
        let sourceID = try identifier(.sourceID, maxLength: ActivityEventJSON.maxIDLength)
        let eventID = try identifier(.eventID, maxLength: ActivityEventJSON.maxIDLength)
        let userID = try identifier(.userID, maxLength: ActivityEventJSON.maxUserIDLength)
        guard let typeName = strings[.type] else { throw .init(reason: "'type' is missing") }
        guard let type = ActivityEventType(rawValue: typeName) else {
            let known = ActivityEventType.allCases.map(\.rawValue).joined(separator: ", ")
            throw .init(reason: "'type' must be one of \(known)")
        }
        guard let startedText = strings[.startedAt] else { throw .init(reason: "'started_at' is missing") }
        guard let startedAt = RFC3339Instant.microseconds(startedText).map(Microseconds.date) else {
            throw .init(reason: "'started_at' is not an RFC 3339 time")
        }
        if let refusal = window.refusal(startedAt: startedAt) { throw .init(reason: refusal) }
        var endedAt: Date?
        if let endedText = strings[.endedAt] {
            guard let ended = RFC3339Instant.microseconds(endedText).map(Microseconds.date) else {
                throw .init(reason: "'ended_at' is not an RFC 3339 time")
            }
            guard Microseconds.of(ended) >= Microseconds.of(startedAt) else { throw .init(reason: "'ended_at' is before 'started_at'") }
            // No call or session lasts longer than `maxDurationSeconds`; an end beyond it is a mistake, and one
            // centuries ahead would not even travel the stream (payload instants stop at ±2^53 µs).
            guard ended.timeIntervalSince(startedAt) <= Double(ActivityEventJSON.maxDurationSeconds) else {
                throw .init(reason: "'ended_at' is more than \(ActivityEventJSON.maxDurationSeconds) seconds after 'started_at'")
            }
            endedAt = ended
        }
        for field in [Field.durationSeconds, .bytesUp, .bytesDown] {
            let value = counters[field] ?? 0
            if value < 0 { throw .init(reason: "'\(field.rawValue)' must not be negative") }
            let limit = field == .durationSeconds ? ActivityEventJSON.maxDurationSeconds : ActivityEventJSON.maxBytes
            if value > limit { throw .init(reason: "'\(field.rawValue)' is larger than \(limit)") }
        }
        return ActivityEvent(
            sourceID: sourceID, eventID: eventID, userID: userID, type: type, startedAt: startedAt, endedAt: endedAt,
            durationSeconds: counters[.durationSeconds] ?? 0, bytesUp: counters[.bytesUp] ?? 0,
            bytesDown: counters[.bytesDown] ?? 0, meta: try Self.metaText(meta, refusal: metaRefusal), receivedAt: receivedAt)
    }

    func identifier(_ field: Field, maxLength: Int) throws(ActivityEventJSON.Refusal) -> String {
        guard let value = strings[field] else { throw .init(reason: "'\(field.rawValue)' is missing") }
        guard !value.isEmpty else { throw .init(reason: "'\(field.rawValue)' is empty") }
        // Bytes, not characters: one character may take any number of combining marks, and the indexes hold bytes.
        guard value.utf8.count <= maxLength else { throw .init(reason: "'\(field.rawValue)' is longer than \(maxLength) bytes") }
        // Control characters would break the stream's payload, and PostgreSQL's text refuses NUL.
        // By bytes: in UTF-8 these scalars are single bytes, and no longer sequence holds a byte below 0x80.
        guard !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw .init(reason: "'\(field.rawValue)' holds a control character")
        }
        return value
    }

    /// `meta` as sent: a JSON object of at most `maxMetaBytes` that PostgreSQL's `jsonb` takes, or nothing.
    static func metaText(_ raw: ArraySlice<UInt8>?, refusal: StrictJSON.Refusal?) throws(ActivityEventJSON.Refusal) -> String? {
        guard let raw, !raw.elementsEqual("null".utf8) else { return nil }
        guard raw.count <= ActivityEventJSON.maxMetaBytes else {
            throw .init(reason: "'meta' is larger than \(ActivityEventJSON.maxMetaBytes) bytes")
        }
        if let refusal { throw .init(reason: "'meta' \(refusal.reason)") }
        guard let text = String(validating: raw, as: UTF8.self) else { throw .init(reason: "'meta' is not UTF-8") }
        return text
    }
}
