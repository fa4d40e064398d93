import Activity
import Foundation

/// A calendar day without a time zone, as the aggregates' `date` columns hold it: days since 1970-01-01,
/// so day arithmetic is integer arithmetic and PostgreSQL gets it as `date '1970-01-01' + n`.
public struct ActivityDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var daysSince1970: Int32

    public init(daysSince1970: Int32) {
        self.daysSince1970 = daysSince1970
    }

    /// Years are kept to four digits, as the `YYYY-MM-DD` text has them.
    public static let years = 1...9999

    /// Nil for a day the calendar does not have (2025-02-30) or a year outside `years`.
    public init?(year: Int, month: Int, day: Int) {
        guard Self.years.contains(year), CivilDate.isValid(year: year, month: month, day: day) else { return nil }
        self.init(CivilDate(year: year, month: month, day: day))
    }

    /// Strictly `YYYY-MM-DD`.
    public init?(text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The first day of a month written strictly `YYYY-MM`.
    public init?(monthText text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
            let year = Int(parts[0]), let month = Int(parts[1])
        else { return nil }
        self.init(year: year, month: month, day: 1)
    }

    /// The day `date` falls on in `timeZone`.
    public init(of date: Date, in timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        self.init(CivilDate(year: parts.year!, month: parts.month!, day: parts.day!))
    }

    /// `civil` must lie within `years`.
    init(_ civil: CivilDate) {
        daysSince1970 = Int32(civil.daysSince1970)
    }

    public var civil: CivilDate {
        CivilDate(daysSince1970: Int(daysSince1970))
    }

    /// `YYYY-MM-DD`.
    public var text: String { civil.description }

    public var description: String { text }

    public var monthStart: ActivityDay {
        ActivityDay(civil.firstOfMonth)
    }

    public func adding(days: Int) -> ActivityDay {
        ActivityDay(daysSince1970: daysSince1970 + Int32(days))
    }

    /// The first day of the month `months` after this day's month (before it, for a negative count).
    public func monthStart(adding months: Int) -> ActivityDay {
        ActivityDay(CivilDate(firstOfMonthSince1970: civil.monthsSince1970 + months))
    }

    /// Whole months from this day's month to `other`'s (0 for the same month).
    public func months(to other: ActivityDay) -> Int {
        other.civil.monthsSince1970 - civil.monthsSince1970
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.daysSince1970 < rhs.daysSince1970 }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
