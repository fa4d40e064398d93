import Activity
@testable import CallsAPI
import CallsCore
import CallsStore
import Foundation
import Testing

/// The pieces of the activity reads that are plain values: calendar days, microsecond times, cursors.
@Suite struct ActivityReadTypesTests {
    @Test func daysReadAndWriteTheirTextAndCountFrom1970() throws {
        #expect(ActivityDay(text: "1970-01-01")?.daysSince1970 == 0)
        #expect(ActivityDay(text: "1969-12-31")?.daysSince1970 == -1)
        #expect(ActivityDay(text: "2000-03-01")?.daysSince1970 == 11_017)
        #expect(ActivityDay(text: "2024-02-29")?.text == "2024-02-29")
        #expect(ActivityDay(text: "0001-01-01")?.text == "0001-01-01")
        for invalid in [
            "2025-02-29", "2100-02-29", "2025-04-31", "2025-00-10", "2025-13-01", "0000-01-01", "25-10-20", "2025-1-20",
            "2025-10-2", "2025/10/20", "2025-10-20T00", "+025-10-20", "２０２５-10-20", "",
        ] {
            #expect(ActivityDay(text: invalid) == nil, "\(invalid)")
        }
        #expect(ActivityDay(monthText: "2025-10")?.text == "2025-10-01")
        #expect(ActivityDay(monthText: "2025-10-01") == nil && ActivityDay(monthText: "2025-13") == nil)
        // Every day of four centuries round-trips, and consecutive days are consecutive numbers.
        var previous = try #require(ActivityDay(text: "1899-12-31"))
        for year in 1900...2300 {
            for month in 1...12 {
                for day in 1...CivilDate.length(ofMonth: month, year: year) {
                    let current = try #require(ActivityDay(year: year, month: month, day: day))
                    #expect(current.daysSince1970 == previous.daysSince1970 + 1)
                    #expect(current.civil == CivilDate(year: year, month: month, day: day))
                    previous = current
                }
            }
        }
    }

    @Test func monthArithmetic() throws {
        let day = try #require(ActivityDay(text: "2025-03-31"))
        #expect(day.monthStart.text == "2025-03-01")
        #expect(day.monthStart(adding: -11).text == "2024-04-01")
        #expect(day.monthStart(adding: 10).text == "2026-01-01")
        #expect(day.months(to: try #require(ActivityDay(text: "2026-02-01"))) == 11)
        #expect(day.adding(days: 1).text == "2025-04-01")
    }

    @Test func theTodayOfATimeZone() {
        let instant = Date(timeIntervalSince1970: 1_761_076_800)  // 2025-10-21T20:00:00Z
        #expect(ActivityDay(of: instant, in: .gmt).text == "2025-10-21")
        #expect(ActivityDay(of: instant, in: TimeZone(identifier: "Asia/Tokyo")!).text == "2025-10-22")
        #expect(
            ActivityDay(of: Date(timeIntervalSince1970: 1_761_008_400), in: TimeZone(identifier: "America/New_York")!).text == "2025-10-20")
    }

    @Test func timesAreWrittenWithSixFractionDigitsInUTC() {
        #expect(ActivityTimeText.format(micros: 0) == "1970-01-01T00:00:00.000000Z")
        #expect(ActivityTimeText.format(micros: -1) == "1969-12-31T23:59:59.999999Z")
        #expect(ActivityTimeText.format(micros: 1_760_963_696_123_456) == "2025-10-20T12:34:56.123456Z")
        #expect(ActivityTimeText.format(micros: 253_402_300_799_999_999) == "9999-12-31T23:59:59.999999Z")
        // Written as parsed, to the microsecond.
        for micros: Int64 in [1, 999_999, 1_000_000, 1_760_963_696_000_001, 1_760_963_696_999_999] {
            let text = ActivityTimeText.format(micros: micros)
            #expect(Microseconds.of(Timestamp.parse(text)!) == micros, "\(text)")
        }
    }

    @Test func cursorsRoundTripAnyIdAndRefuseAnythingElse() throws {
        for (source, event) in [("p1", "a"), ("a.b.c", "x\"y\\z"), ("провайдер", "🙂 id with spaces"), ("/+=", "-_")] {
            let cursor = ActivityCursor(startedAtMicros: -1_234_567, sourceID: source, eventID: event)
            #expect(ActivityCursor(token: cursor.token) == cursor)
            #expect(!cursor.token.contains { "+/=".contains($0) }, "base64url without padding")
        }
        let longest = ActivityCursor(
            startedAtMicros: 253_402_300_799_999_999, sourceID: String(repeating: "\"", count: 128),
            eventID: String(repeating: "\u{1F642}", count: 32))  // 128 bytes: ids are limited by bytes
        #expect(ActivityCursor(token: longest.token) == longest)
        #expect(ActivityCursor(token: "") == nil)
        #expect(ActivityCursor(token: "not base64!") == nil)
    }
}
