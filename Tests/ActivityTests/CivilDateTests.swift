import Activity
import Foundation
import Testing

@Suite struct CivilDateTests {
    @Test func knownDaysSince1970() {
        let known: [(days: Int, date: CivilDate)] = [
            (0, CivilDate(year: 1970, month: 1, day: 1)),
            (-1, CivilDate(year: 1969, month: 12, day: 31)),
            (-719_528, CivilDate(year: 0, month: 1, day: 1)),
            (-25_508, CivilDate(year: 1900, month: 3, day: 1)),
            (-25_509, CivilDate(year: 1900, month: 2, day: 28)),  // 1900 is no leap year
            (11_016, CivilDate(year: 2000, month: 2, day: 29)),  // 2000 is
            (11_017, CivilDate(year: 2000, month: 3, day: 1)),
            (19_782, CivilDate(year: 2024, month: 2, day: 29)),
            (20_362, CivilDate(year: 2025, month: 10, day: 1)),
            (2_932_896, CivilDate(year: 9999, month: 12, day: 31)),
        ]
        for (days, date) in known {
            #expect(CivilDate(daysSince1970: days) == date, "\(days)")
            #expect(date.daysSince1970 == days, "\(date)")
        }
    }

    /// Walks day by day from 800 BC (year -799) to 2800 with a successor written without the algorithm:
    /// both directions must agree with it on every day, before 1970 (negative counts) and across eras.
    @Test func everyDayOfThirtySixCenturiesRoundTrips() {
        var expected = CivilDate(year: -799, month: 1, day: 1)
        var days = expected.daysSince1970
        var mismatches: [String] = []
        while expected.year <= 2800 {
            let date = CivilDate(daysSince1970: days)
            if date != expected || expected.daysSince1970 != days { mismatches.append("\(days): \(date), expected \(expected)") }
            expected = Self.successor(of: expected)
            days += 1
            if mismatches.count > 5 { break }
        }
        #expect(mismatches.count == 0, "first mismatches: \(mismatches)")
        #expect(CivilDate(year: 1970, month: 1, day: 1).daysSince1970 == 0)
    }

    @Test func agreesWithFoundationAfterTheGregorianReform() {
        // Foundation's Gregorian calendar is Julian before October 1582, so it is a witness only after that.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        for days in stride(from: -140_000, through: 2_900_000, by: 97) {
            let parts = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(days) * 86_400))
            let foundation = CivilDate(year: parts.year!, month: parts.month!, day: parts.day!)
            #expect(CivilDate(daysSince1970: days) == foundation, "\(days)")
        }
    }

    @Test func monthLengthsAndLeapYears() {
        #expect(!CivilDate.isLeap(year: 1900) && CivilDate.isLeap(year: 2000) && CivilDate.isLeap(year: 2024))
        #expect(!CivilDate.isLeap(year: 2025) && !CivilDate.isLeap(year: 2100) && CivilDate.isLeap(year: 0))
        let lengths2025 = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        for month in 1...12 {
            #expect(CivilDate.length(ofMonth: month, year: 2025) == lengths2025[month - 1])
            let last = CivilDate(year: 2025, month: month, day: lengths2025[month - 1])
            #expect(CivilDate(daysSince1970: last.daysSince1970 + 1).day == 1, "the day after \(last)")
        }
        #expect(CivilDate.length(ofMonth: 2, year: 1900) == 28 && CivilDate.length(ofMonth: 2, year: 2000) == 29)
        #expect(CivilDate.isValid(year: 2024, month: 2, day: 29) && !CivilDate.isValid(year: 1900, month: 2, day: 29))
        #expect(!CivilDate.isValid(year: 2025, month: 4, day: 31) && !CivilDate.isValid(year: 2025, month: 13, day: 1))
        #expect(!CivilDate.isValid(year: 2025, month: 0, day: 1) && !CivilDate.isValid(year: 2025, month: 1, day: 0))
    }

    @Test func monthsSince1970BothWays() {
        #expect(CivilDate(firstOfMonthSince1970: 0) == CivilDate(year: 1970, month: 1, day: 1))
        #expect(CivilDate(firstOfMonthSince1970: 11) == CivilDate(year: 1970, month: 12, day: 1))
        #expect(CivilDate(firstOfMonthSince1970: 12) == CivilDate(year: 1971, month: 1, day: 1))
        #expect(CivilDate(firstOfMonthSince1970: -1) == CivilDate(year: 1969, month: 12, day: 1))
        #expect(CivilDate(firstOfMonthSince1970: -12) == CivilDate(year: 1969, month: 1, day: 1))
        #expect(CivilDate(firstOfMonthSince1970: -13) == CivilDate(year: 1968, month: 12, day: 1))
        #expect(CivilDate(year: 2025, month: 10, day: 31).monthsSince1970 == 669)
        var mismatches: [Int] = []
        for months in -30_000...30_000 {
            let first = CivilDate(firstOfMonthSince1970: months)
            if first.monthsSince1970 != months || first.day != 1 || !(1...12).contains(first.month) { mismatches.append(months) }
        }
        #expect(mismatches.count == 0, "first mismatches: \(mismatches.prefix(5))")
        #expect(CivilDate(year: 2024, month: 2, day: 29).firstOfMonth == CivilDate(year: 2024, month: 2, day: 1))
    }

    @Test func ordersAndPrints() {
        #expect(CivilDate(year: 2024, month: 12, day: 31) < CivilDate(year: 2025, month: 1, day: 1))
        #expect(CivilDate(year: 2025, month: 1, day: 31) < CivilDate(year: 2025, month: 2, day: 1))
        #expect(CivilDate(year: 2025, month: 3, day: 9).description == "2025-03-09")
        #expect(CivilDate(year: 1, month: 1, day: 1).description == "0001-01-01")
    }

    static func successor(of date: CivilDate) -> CivilDate {
        let leap = (date.year % 4 == 0 && date.year % 100 != 0) || date.year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        if date.day < lengths[date.month - 1] { return CivilDate(year: date.year, month: date.month, day: date.day + 1) }
        if date.month < 12 { return CivilDate(year: date.year, month: date.month + 1, day: 1) }
        return CivilDate(year: date.year + 1, month: 1, day: 1)
    }
}
