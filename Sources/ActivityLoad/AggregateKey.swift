import Foundation

/// The two periods the server aggregates over, as `period=` names them.
public enum AggregatePeriod: String, Sendable, Hashable, Comparable, CaseIterable {
    case day
    case month

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One aggregate row: a subscriber's (or, with no subscriber, everyone's) events of one type in one day or
/// month (in the server's time zone).
public struct AggregateKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Nil for the global rows.
    public var userID: String?
    public var period: AggregatePeriod
    /// `YYYY-MM-DD`, the first day of the month for a month, as the API's `period_start` has it.
    public var periodStart: String
    public var type: String

    public init(userID: String?, period: AggregatePeriod = .day, periodStart: String, type: String) {
        self.userID = userID
        self.period = period
        self.periodStart = periodStart
        self.type = type
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.userID ?? "", lhs.period, lhs.periodStart, lhs.type) < (rhs.userID ?? "", rhs.period, rhs.periodStart, rhs.type)
    }

    public var description: String { "\(userID ?? "global") \(period.rawValue) \(periodStart) \(type)" }
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

/// Calendar days (and months) in one time zone, as the server buckets them.
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

    /// The month holding `day` (`YYYY-MM-DD`) as its first day: months are cut from the days, so they change
    /// at the same midnight.
    public static func month(ofDay day: String) -> String {
        String(day.prefix(8)) + "01"
    }
}

enum Padded {
    /// `value` in decimal with leading zeros up to `width` digits.
    static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
