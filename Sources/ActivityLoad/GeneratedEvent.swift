import Activity
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

    /// Calls and data sessions carry an `ended_at`; an SMS has none.
    public var hasEnd: Bool { self == .callOut || self == .callIn || self == .data }
}

/// One event the generator made, with the exact JSON it is sent as (a duplicate re-sends these very bytes).
public struct GeneratedEvent: Sendable, Hashable {
    public var eventID: String
    public var userID: String
    public var type: LoadEventType
    /// Whole milliseconds since 1970, as the JSON carries them.
    public var startedMilliseconds: Int64
    public var startedAt: Date { MillisecondTime.date(startedMilliseconds) }
    public var durationSeconds: Int64
    public var bytesUp: Int64
    public var bytesDown: Int64
    public var cell: String
    public var json: String
    /// `ended_at` as sent, nil for the types without one.
    public var endedMilliseconds: Int64? { type.hasEnd ? startedMilliseconds + durationSeconds * 1000 : nil }

    init(
        eventID: String, sourceID: String, userID: String, type: LoadEventType, startedAt: Date, durationSeconds: Int64,
        bytesUp: Int64 = 0, bytesDown: Int64 = 0, cell: String
    ) {
        self.init(
            eventID: eventID, quotedSource: JSONText.quoted(sourceID), userID: userID, quotedUser: JSONText.quoted(userID),
            type: type, startedAt: startedAt, durationSeconds: durationSeconds, bytesUp: bytesUp, bytesDown: bytesDown, cell: cell)
    }

    /// `quotedSource` and `quotedUser`: the ids as JSON string literals, made once per run and subscriber.
    init(
        eventID: String, quotedSource: String, userID: String, quotedUser: String, type: LoadEventType, startedAt: Date,
        durationSeconds: Int64, bytesUp: Int64, bytesDown: Int64, cell: String
    ) {
        self.eventID = eventID
        self.userID = userID
        self.type = type
        startedMilliseconds = MillisecondTime.of(startedAt)
        let hasEnd = type.hasEnd
        self.durationSeconds = durationSeconds
        self.bytesUp = bytesUp
        self.bytesDown = bytesDown
        self.cell = cell
        var json = "{\"event_id\":\"\(eventID)\",\"source_id\":\(quotedSource),\"user_id\":\(quotedUser)"
        json += ",\"type\":\"\(type.rawValue)\",\"started_at\":\"\(MillisecondTime.format(startedMilliseconds))\""
        if hasEnd { json += ",\"ended_at\":\"\(MillisecondTime.format(startedMilliseconds + durationSeconds * 1000))\"" }
        json += ",\"duration_sec\":\(durationSeconds),\"bytes_up\":\(bytesUp),\"bytes_down\":\(bytesDown)"
        json += ",\"meta\":{\"cell\":\"\(cell)\"}}"  // a letter and digits: nothing to escape
        self.json = json
    }
}

/// Instants as whole milliseconds, written exactly: a `Date`'s binary fraction (.678 held as .67799…) would
/// be cut to .677 by a formatter that truncates, moving an event or a window edge by a millisecond.
public enum MillisecondTime {
    public static func of(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    public static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// RFC 3339 in UTC with three fraction digits, by integer arithmetic (it runs twice per event sent).
    public static func format(_ milliseconds: Int64) -> String {
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let fraction = Int(milliseconds - seconds * 1000)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = Int(seconds - days * 86_400)
        let date = CivilDate(daysSince1970: Int(days))
        let (year, month, day) = (date.year, date.month, date.day)
        return "\(Padded.digits(year, 4))-\(Padded.digits(month, 2))-\(Padded.digits(day, 2))T\(Padded.digits(time / 3600, 2)):"
            + "\(Padded.digits(time / 60 % 60, 2)):\(Padded.digits(time % 60, 2)).\(Padded.digits(fraction, 3))Z"
    }

}

enum JSONText {
    /// `text` as a JSON string literal.
    static func quoted(_ text: String) -> String {
        let data = try! JSONEncoder().encode(text)  // a String always encodes
        return String(decoding: data, as: UTF8.self)
    }
}
