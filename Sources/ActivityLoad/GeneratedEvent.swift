import CallsCore
import Foundation

/// The five kinds of subscriber activity, as the API names them.
public enum LoadEventType: String, Sendable, CaseIterable, Hashable, Codable, Comparable {
    case callOut = "CALL_OUT"
    case callIn = "CALL_IN"
    case smsSent = "SMS_SENT"
    case smsReceived = "SMS_RECEIVED"
    case data = "DATA"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One event the generator made, with the exact JSON it is sent as (a duplicate re-sends these very bytes).
public struct GeneratedEvent: Sendable, Hashable {
    public var eventID: String
    public var userID: String
    public var type: LoadEventType
    /// Whole milliseconds, as the JSON carries them, so what comes back compares equal.
    public var startedAt: Date
    public var endedAt: Date?
    public var durationSeconds: Int64
    public var bytesUp: Int64
    public var bytesDown: Int64
    public var cell: String
    public var json: String

    init(
        eventID: String, sourceID: String, userID: String, type: LoadEventType, startedAt: Date, durationSeconds: Int64,
        bytesUp: Int64, bytesDown: Int64, cell: String
    ) {
        self.eventID = eventID
        self.userID = userID
        self.type = type
        self.startedAt = Self.milliseconds(startedAt)
        let hasEnd = type == .callOut || type == .callIn || type == .data
        self.endedAt = hasEnd ? self.startedAt.addingTimeInterval(TimeInterval(durationSeconds)) : nil
        self.durationSeconds = durationSeconds
        self.bytesUp = bytesUp
        self.bytesDown = bytesDown
        self.cell = cell
        var json = "{\"event_id\":\"\(eventID)\",\"source_id\":\(JSONText.quoted(sourceID)),\"user_id\":\(JSONText.quoted(userID))"
        json += ",\"type\":\"\(type.rawValue)\",\"started_at\":\"\(Timestamp.format(self.startedAt))\""
        if let endedAt { json += ",\"ended_at\":\"\(Timestamp.format(endedAt))\"" }
        json += ",\"duration_sec\":\(durationSeconds),\"bytes_up\":\(bytesUp),\"bytes_down\":\(bytesDown)"
        json += ",\"meta\":{\"cell\":\(JSONText.quoted(cell))}}"
        self.json = json
    }

    static func milliseconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }
}

enum JSONText {
    /// `text` as a JSON string literal.
    static func quoted(_ text: String) -> String {
        let data = try! JSONEncoder().encode(text)  // a String always encodes
        return String(decoding: data, as: UTF8.self)
    }
}
