import CallsCore
import Foundation
import Testing

@Suite struct TimestampTests {
    @Test(arguments: [
        "2026-11-21T09:30:00Z", "2026-11-21T09:30:00.000Z", "2026-11-21T12:30:00+03:00",
        "2026-11-21 09:30:00Z", "2026-11-21t09:30:00z", "2026-11-21T04:30:00.000-05:00",
    ])
    func parsesRFC3339Forms(text: String) throws {
        let date = try #require(Timestamp.parse(text))
        #expect(Timestamp.format(date) == "2026-11-21T09:30:00.000Z")
    }

    @Test(arguments: ["", "2026-11-21", "2026-11-21T09:30:00", "21/11/2026 09:30", "2026-13-01T00:00:00Z"])
    func rejectsOtherForms(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func keepsMilliseconds() throws {
        let date = try #require(Timestamp.parse("2026-11-21T09:30:00.123Z"))
        #expect(Timestamp.format(date) == "2026-11-21T09:30:00.123Z")
    }

    /// An instant stored to the microsecond reads back at its millisecond, not one before (the formatter
    /// truncates the `Double` it is given).
    @Test func roundsToTheNearestMillisecond() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_761_000_000.954)) == "2025-10-20T22:40:00.954Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_761_000_000.9996)) == "2025-10-20T22:40:01.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -0.25)) == "1969-12-31T23:59:59.750Z")
        for millisecond in 0..<1000 {
            let date = Date(timeIntervalSince1970: 1_761_000_000 + Double(millisecond) / 1000)
            #expect(Timestamp.format(date).hasSuffix(String(format: ".%03dZ", millisecond)))
        }
    }
}
