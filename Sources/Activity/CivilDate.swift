/// A proleptic Gregorian date without a time zone, and its place on the count of days (and months) since
/// 1970-01-01, both ways, by integer arithmetic (Howard Hinnant's `days_from_civil` and `civil_from_days`,
/// <https://howardhinnant.github.io/date_algorithms.html>). Events are dated and partitioned at tens of
/// thousands a second; a `Calendar` costs microseconds per call where this costs nanoseconds.
///
/// It does not check its fields: `init(year:month:day:)` takes what the caller already validated (with
/// `isValid`), and the counts are exact for any year an `Int` holds.
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    /// 1...12.
    public var month: Int
    /// 1...the month's length.
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `daysSince1970` days after 1970-01-01 (before it, for a negative count).
    public init(daysSince1970 days: Int) {
        // Count from 0000-03-01, so the leap day is the last day of its (March-based) year.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// The first day of the month `monthsSince1970` months after January 1970 (before it, when negative).
    public init(firstOfMonthSince1970 months: Int) {
        let yearsSince1970 = months >= 0 ? months / 12 : (months - 11) / 12
        self.init(year: 1970 + yearsSince1970, month: months - yearsSince1970 * 12 + 1, day: 1)
    }

    /// Days from 1970-01-01 to this date (negative before it).
    public var daysSince1970: Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Whole months from January 1970 to this date's month (negative before it).
    public var monthsSince1970: Int {
        (year - 1970) * 12 + month - 1
    }

    public var firstOfMonth: CivilDate {
        CivilDate(year: year, month: month, day: 1)
    }

    /// Whether the calendar has this date (no 2025-02-30, no month 13).
    public static func isValid(year: Int, month: Int, day: Int) -> Bool {
        (1...12).contains(month) && day >= 1 && day <= length(ofMonth: month, year: year)
    }

    public static func isLeap(year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// Days in `month` (1...12) of `year`.
    public static func length(ofMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year: year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// `YYYY-MM-DD` for the years 0...9999 the text form has; other years as `Int` prints them.
    public var description: String {
        Self.digits(year, 4) + "-" + Self.digits(month, 2) + "-" + Self.digits(day, 2)
    }

    /// `value` with leading zeros to `width` digits.
    public static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
