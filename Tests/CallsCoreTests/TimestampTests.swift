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
}
