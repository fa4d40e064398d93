import Foundation

/// One row of the day aggregates: a subscriber's events of one type on one day (in the server's time zone).
public struct AggregateKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var userID: String
    /// `YYYY-MM-DD`.
    public var day: String
    public var type: String

    public init(userID: String, day: String, type: String) {
        self.userID = userID
        self.day = day
        self.type = type
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.userID, lhs.day, lhs.type) < (rhs.userID, rhs.day, rhs.type)
    }

    public var description: String { "\(userID) \(day) \(type)" }
}

public struct AggregateTotals: Sendable, Hashable, CustomStringConvertible {
    public var count: Int64 = 0
    public var durationSeconds: Int64 = 0
    public var bytesUp: Int64 = 0
    public var bytesDown: Int64 = 0

    public init(count: Int64 = 0, durationSeconds: Int64 = 0, bytesUp: Int64 = 0, bytesDown: Int64 = 0) {
        self.count = count
        self.durationSeconds = durationSeconds
        self.bytesUp = bytesUp
        self.bytesDown = bytesDown
    }

    public var description: String { "count \(count), duration_sec \(durationSeconds), bytes_up \(bytesUp), bytes_down \(bytesDown)" }
}

/// Calendar days in one time zone, as the server buckets them.
public struct DayBucketing: Sendable {
    private let calendar: Calendar

    public init(timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    public func day(of date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return "\(Padded.digits(parts.year!, 4))-\(Padded.digits(parts.month!, 2))-\(Padded.digits(parts.day!, 2))"
    }
}

enum Padded {
    /// `value` in decimal with leading zeros up to `width` digits.
    static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
