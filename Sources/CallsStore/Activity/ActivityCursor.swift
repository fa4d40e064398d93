import Activity
import Foundation

/// A position in one user's detail listing (newest first): the last event shown, by `started_at` to the
/// microsecond, then source and event id. Clients see an opaque token; events added meanwhile never shift a
/// page, and events sharing a start are never skipped or repeated.
public struct ActivityCursor: Sendable, Equatable {
    public var startedAtMicros: Int64
    public var sourceID: String
    public var eventID: String

    public init(startedAtMicros: Int64, sourceID: String, eventID: String) {
        self.startedAtMicros = startedAtMicros
        self.sourceID = sourceID
        self.eventID = eventID
    }

    public init(after event: ActivityEvent) {
        self.init(startedAtMicros: Microseconds.of(event.startedAt), sourceID: event.sourceID, eventID: event.eventID)
    }

    static let version = "act1"
    /// Longer than any token this service makes (two ids of at most 128 characters, escaped): refused unread.
    static let maxTokenLength = 2048

    /// The JSON array `["act1", "<micros>", source_id, event_id]`, base64url without padding: the ids may
    /// hold any character, so they are not joined by a separator.
    public var token: String {
        let data = (try? JSONEncoder().encode([Self.version, String(startedAtMicros), sourceID, eventID])) ?? Data()
        return data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Nil for anything that is not a token this service made.
    public init?(token: String) {
        guard token.count <= Self.maxTokenLength else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let parts = try? JSONDecoder().decode([String].self, from: data),
            parts.count == 4, parts[0] == Self.version, let micros = Int64(parts[1]), Self.validMicros.contains(micros),
            Self.isIdentifier(parts[2]), Self.isIdentifier(parts[3])
        else { return nil }
        self.init(startedAtMicros: micros, sourceID: parts[2], eventID: parts[3])
    }

    /// Years 0001 to 9999, the instants PostgreSQL and RFC 3339 both write.
    static let validMicros: ClosedRange<Int64> = -62_135_596_800_000_000...253_402_300_799_999_999

    /// As the API takes ids: PostgreSQL's text refuses NUL, so another character in a forged token would
    /// reach the query and fail it.
    static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= ActivityEventJSON.maxIDLength
            && !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }
}
