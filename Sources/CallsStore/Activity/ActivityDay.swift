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
        guard Self.years.contains(year), (1...12).contains(month), (1...Self.length(ofMonth: month, year: year)).contains(day)
        else { return nil }
        daysSince1970 = Int32(Self.days(year: year, month: month, day: day))
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
        daysSince1970 = Int32(Self.days(year: parts.year!, month: parts.month!, day: parts.day!))
    }

    public var civil: (year: Int, month: Int, day: Int) {
        Self.civil(fromDays: Int(daysSince1970))
    }

    /// `YYYY-MM-DD`.
    public var text: String {
        let (year, month, day) = civil
        return Self.digits(year, 4) + "-" + Self.digits(month, 2) + "-" + Self.digits(day, 2)
    }

    public var description: String { text }

    public var monthStart: ActivityDay {
        let (year, month, _) = civil
        return ActivityDay(daysSince1970: Int32(Self.days(year: year, month: month, day: 1)))
    }

    public func adding(days: Int) -> ActivityDay {
        ActivityDay(daysSince1970: daysSince1970 + Int32(days))
    }

    /// The first day of the month `months` after this day's month (before it, for a negative count).
    public func monthStart(adding months: Int) -> ActivityDay {
        let (year, month, _) = civil
        let index = year * 12 + (month - 1) + months
        return ActivityDay(daysSince1970: Int32(Self.days(year: index / 12, month: index % 12 + 1, day: 1)))
    }

    /// Whole months from this day's month to `other`'s (0 for the same month).
    public func months(to other: ActivityDay) -> Int {
        let (fromYear, fromMonth, _) = civil
        let (toYear, toMonth, _) = other.civil
        return (toYear * 12 + toMonth) - (fromYear * 12 + fromMonth)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.daysSince1970 < rhs.daysSince1970 }

    public static func length(ofMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Howard Hinnant's `days_from_civil` (proleptic Gregorian).
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Howard Hinnant's `civil_from_days`.
    public static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    public static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
