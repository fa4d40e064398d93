import Activity
import CallsCore
@testable import CallsWorker
import Foundation
import Testing

extension IntegrationSuite {
    /// Aggregate days and months in `CALLS_ACTIVITY_TIMEZONE=Europe/Berlin` across both clock changes of 2025:
    /// the 23-hour 30 March (02:00 CET jumps to 03:00 CEST at 01:00Z) and the 25-hour 26 October (03:00 CEST
    /// falls back to 02:00 CET at 01:00Z, so 02:30 happens twice), each midnight around them, and two month ends.
    @Suite struct ActivityDaylightSavingTests {
        /// Each start (UTC) with the Berlin day it belongs to, worked out by hand from the offsets: +01:00 before
        /// 2025-03-30T01:00Z and after 2025-10-26T01:00Z, +02:00 between.
        static let starts: [(utc: String, berlinDay: String)] = [
            ("2025-03-29T22:59:59Z", "2025-03-29"),  // 23:59:59 CET
            ("2025-03-29T23:00:00Z", "2025-03-30"),  // 00:00 CET: the 23-hour day begins
            ("2025-03-30T00:59:59Z", "2025-03-30"),  // 01:59:59 CET, the last second before the jump
            ("2025-03-30T01:00:00Z", "2025-03-30"),  // 03:00 CEST
            ("2025-03-30T21:59:59Z", "2025-03-30"),  // 23:59:59 CEST: 23 hours after its midnight
            ("2025-03-30T22:00:00Z", "2025-03-31"),  // 00:00 CEST
            ("2025-03-31T21:59:59Z", "2025-03-31"),  // the last second of March in Berlin
            ("2025-03-31T22:00:00Z", "2025-04-01"),  // April in Berlin, still March in UTC
            ("2025-10-25T21:59:59Z", "2025-10-25"),  // 23:59:59 CEST
            ("2025-10-25T22:00:00Z", "2025-10-26"),  // 00:00 CEST: the 25-hour day begins
            ("2025-10-26T00:30:00Z", "2025-10-26"),  // 02:30 CEST
            ("2025-10-26T01:30:00Z", "2025-10-26"),  // 02:30 CET, the same wall time an hour later
            ("2025-10-26T22:59:59Z", "2025-10-26"),  // 23:59:59 CET: 25 hours after its midnight
            ("2025-10-26T23:00:00Z", "2025-10-27"),  // 00:00 CET
            ("2025-10-31T22:59:59Z", "2025-10-31"),  // the last second of October in Berlin
            ("2025-10-31T23:00:00Z", "2025-11-01"),  // November in Berlin, still October in UTC
        ]

        @Test func daysAndMonthsAcrossBothClockChangesFollowBerlinsMidnights() async throws {
            // Retention as wide as the settings allow: these 2025 days must not count as past it whenever this runs.
            let settings = try ActivitySettings(
                environment: EnvironmentVariables(["CALLS_ACTIVITY_TIMEZONE": "Europe/Berlin", "CALLS_ACTIVITY_RETENTION_MONTHS": "1200"]))
            let (events, expectedDaily, expectedMonthly) = try Self.eventsAndTheirCells()
            #expect(expectedDaily["2025-03-30|u-dst|CALL_OUT"]?.first == 4 && expectedDaily["2025-10-26|u-dst|CALL_OUT"]?.first == 4)
            try await ActivityFixture.with(partitions: 2, timeZone: settings.timeZone) { fixture in
                try await fixture.publish(events)
                try await fixture.drainAll(retentionMonths: settings.retentionMonths)
                #expect(try await fixture.rawCount() == events.count)
                let daily = try await fixture.aggregates(monthly: false)
                let monthly = try await fixture.aggregates(monthly: true)
                #expect(daily == expectedDaily)
                #expect(monthly == expectedMonthly)
                #expect(daily == fixture.expectedAggregates(events, monthly: false))
                #expect(monthly == fixture.expectedAggregates(events, monthly: true))
            }
        }

        /// One event per start, and the aggregate cells (user and global) they must make, from the hand-made days.
        static func eventsAndTheirCells() throws -> (events: [ActivityEvent], daily: [String: [Int64]], monthly: [String: [Int64]]) {
            var berlin = Calendar(identifier: .gregorian)
            berlin.timeZone = try #require(TimeZone(identifier: "Europe/Berlin"))
            let now = Date()
            var events: [ActivityEvent] = []
            var expectedDaily: [String: [Int64]] = [:]
            var expectedMonthly: [String: [Int64]] = [:]
            for (index, start) in Self.starts.enumerated() {
                let startedAt = try #require(Timestamp.parse(start.utc))
                // Foundation's zone database agrees with the hand-made table (a witness, not the source).
                let parts = berlin.dateComponents([.year, .month, .day], from: startedAt)
                #expect(String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!) == start.berlinDay, "\(start.utc)")
                // A power of two per event: each sum says exactly which events landed in its cell.
                let duration = Int64(1) << index
                events.append(
                    ActivityEvent(
                        sourceID: "dst", eventID: "dst-\(index)", userID: "u-dst", type: .callOut, startedAt: startedAt,
                        endedAt: startedAt.addingTimeInterval(Double(duration)), durationSeconds: duration, receivedAt: now))
                let month = String(start.berlinDay.prefix(8)) + "01"
                for user in ["u-dst", "*"] {
                    Self.add(duration, to: &expectedDaily, at: "\(start.berlinDay)|\(user)|CALL_OUT")
                    Self.add(duration, to: &expectedMonthly, at: "\(month)|\(user)|CALL_OUT")
                }
            }
            return (events, expectedDaily, expectedMonthly)
        }

        static func add(_ duration: Int64, to cells: inout [String: [Int64]], at key: String) {
            let old = cells[key] ?? [0, 0, 0, 0]
            cells[key] = [old[0] + 1, old[1] + duration, old[2], old[3]]
        }
    }
}
