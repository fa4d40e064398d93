import CallsCore
import Foundation

/// Reads subscriber events sent as JSON (an array, or one object per line) and checks each on its own: a
/// malformed or invalid event is refused by its index with the reason, the others are taken.
public enum ActivityEventJSON {
    public struct Rejection: Sendable, Equatable {
        /// 0-based index in the array, or 0-based line of an NDJSON body.
        public var index: Int
        public var reason: String

        public init(index: Int, reason: String) {
            self.index = index
            self.reason = reason
        }
    }

    public static let maxUserIDLength = 64
    /// Source and event ids: a UUID fits many times over; longer is not an id.
    public static let maxIDLength = 128
    public static let maxMetaBytes = 4096
    /// A year and a day: no call or data session lasts longer. With `maxBytes`, what keeps the sums of a day's
    /// or a month's cell far within 64 bits.
    public static let maxDurationSeconds: Int64 = 366 * 86_400
    /// One pebibyte.
    public static let maxBytes: Int64 = 1 << 50
    /// A larger item is refused without being decoded: every field at its longest fits well within.
    public static let maxItemBytes = 64 * 1024

    /// The events of `body` received at `now` whose start lies in `window`, and the refusals; throws only for
    /// a body that is not JSON items at all.
    public static func parse(
        _ body: [UInt8], now: Date, window: ActivityTimeWindow
    ) throws(JSONBodyItems.BodyError) -> (events: [ActivityEvent], rejections: [Rejection]) {
        let items = try JSONBodyItems.items(body)
        let decoder = JSONDecoder()
        var events: [ActivityEvent] = []
        events.reserveCapacity(items.count)
        var rejections: [Rejection] = []
        for (index, item) in items.enumerated() where !JSONBodyItems.isBlank(item) {
            guard item.count <= maxItemBytes else {
                rejections.append(Rejection(index: index, reason: "larger than \(maxItemBytes) bytes, more than an event can be"))
                continue
            }
            switch event(item, receivedAt: now, window: window, decoder: decoder) {
            case .success(let event): events.append(event)
            case .failure(let refusal): rejections.append(Rejection(index: index, reason: refusal.reason))
            }
        }
        return (events, rejections)
    }

    struct Refusal: Error {
        var reason: String
    }

    static func event(
        _ item: ArraySlice<UInt8>, receivedAt: Date, window: ActivityTimeWindow, decoder: JSONDecoder
    ) -> Result<ActivityEvent, Refusal> {
        let wire: ActivityEventWire
        do {
            wire = try decoder.decode(ActivityEventWire.self, from: Data(item))
        } catch {
            return .failure(Refusal(reason: "not a JSON object"))
        }
        do {
            return .success(try wire.event(meta: JSONObjectMember.value(named: "meta", in: item), receivedAt: receivedAt, window: window))
        } catch {
            return .failure(error)
        }
    }
}

/// An event's fields as sent, each kept apart from its type errors so the refusal can name the field.
struct ActivityEventWire: Decodable {
    enum Field: String, CodingKey, CaseIterable {
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

    var strings: [Field: String] = [:]
    var counters: [Field: Int64] = [:]
    /// The first field whose value has the wrong type, with what it must be.
    var mistyped: (field: Field, expected: String)?

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Field.self)
        for field in [Field.eventID, .sourceID, .userID, .type, .startedAt, .endedAt] where mistyped == nil {
            do {
                strings[field] = try container.decodeIfPresent(String.self, forKey: field)
            } catch {
                mistyped = (field, "a string")
            }
        }
        for field in [Field.durationSeconds, .bytesUp, .bytesDown] where mistyped == nil {
            do {
                counters[field] = try container.decodeIfPresent(Int64.self, forKey: field)
            } catch {
                mistyped = (field, "a whole number")
            }
        }
    }

    /// `meta`: the raw text of the item's `meta` member, if it has one.
    func event(meta: ArraySlice<UInt8>?, receivedAt: Date, window: ActivityTimeWindow) throws(ActivityEventJSON.Refusal) -> ActivityEvent {
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
            bytesDown: counters[.bytesDown] ?? 0, meta: try Self.metaText(meta), receivedAt: receivedAt)
    }

    func identifier(_ field: Field, maxLength: Int) throws(ActivityEventJSON.Refusal) -> String {
        guard let value = strings[field] else { throw .init(reason: "'\(field.rawValue)' is missing") }
        guard !value.isEmpty else { throw .init(reason: "'\(field.rawValue)' is empty") }
        // Bytes, not characters: one character may take any number of combining marks, and the indexes hold bytes.
        guard value.utf8.count <= maxLength else { throw .init(reason: "'\(field.rawValue)' is longer than \(maxLength) bytes") }
        // Control characters would break the stream's payload, and PostgreSQL's text refuses NUL.
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .init(reason: "'\(field.rawValue)' holds a control character")
        }
        return value
    }

    /// `meta` as sent: a JSON object of at most `maxMetaBytes` that PostgreSQL's `jsonb` takes, or nothing.
    static func metaText(_ raw: ArraySlice<UInt8>?) throws(ActivityEventJSON.Refusal) -> String? {
        guard let raw, !raw.elementsEqual("null".utf8) else { return nil }
        guard raw.count <= ActivityEventJSON.maxMetaBytes else {
            throw .init(reason: "'meta' is larger than \(ActivityEventJSON.maxMetaBytes) bytes")
        }
        if let refusal = StrictJSON.checkObject(raw) { throw .init(reason: "'meta' \(refusal.reason)") }
        guard let text = String(validating: raw, as: UTF8.self) else { throw .init(reason: "'meta' is not UTF-8") }
        return text
    }
}
