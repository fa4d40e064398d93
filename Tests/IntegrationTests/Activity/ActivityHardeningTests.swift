import Activity
@testable import CallsStore
@testable import CallsWorker
import EventBus
import Foundation
import ServiceLifecycle
import Testing
import TestSupport

extension IntegrationSuite {
    /// What keeps the activity streams running for good: bounded streams, and no event able to stop one.
    @Suite struct ActivityHardeningTests {
        func role(_ group: ActivityGroup, _ fixture: ActivityFixture) -> ActivityRole {
            ActivityRole(
                group: group, consumers: [fixture.consumer(group, partition: 0, batchSize: 500)], readBlock: .milliseconds(50),
                trimInterval: .milliseconds(100), logger: TestServices.logger)
        }

        func running<T: Sendable>(_ roles: [ActivityRole], _ body: @Sendable () async throws -> T) async throws -> T {
            let services = ServiceGroup(configuration: .init(services: roles, gracefulShutdownSignals: [], logger: TestServices.logger))
            return try await withThrowingTaskGroup(of: T?.self) { tasks in
                tasks.addTask {
                    try await services.run()
                    return nil
                }
                let result = try await body()
                await services.triggerGracefulShutdown()
                for try await _ in tasks {}
                return result
            }
        }

        /// The stream is trimmed below what both groups acknowledged, never below what one still needs.
        @Test func theStreamIsTrimmedOnlyBelowWhatBothGroupsAcknowledged() async throws {
            let events = ActivityFixture.events(count: 3000, users: 40)
            try await ActivityFixture.with(partitions: 1) { fixture in
                let stream = fixture.stream(0)
                try await fixture.publish(events)
                // Only the ingest group reads: everything stays for the aggregate group, which exists from the
                // first read on.
                try await running([role(.ingest, fixture)]) {
                    try await expectEventually("the ingest group applied everything", within: 30) { try await fixture.rawCount() == 3000 }
                    try await Task.sleep(for: .milliseconds(400))
                    #expect(try await stream.length() == 3000)
                }
                try await running([role(.ingest, fixture), role(.aggregate, fixture)]) {
                    try await expectEventually("the stream emptied once both groups acknowledged", within: 30) {
                        try await stream.length() == 0
                    }
                }
                #expect(try await fixture.aggregates(monthly: false) == fixture.expectedAggregates(events, monthly: false))
            }
        }

        /// An event the database refuses is set aside with the reason; the rest of its batch is applied and the
        /// partition goes on.
        @Test func anEventTheDatabaseRefusesIsSetAsideAndTheStreamGoesOn() async throws {
            let now = Date()
            var events = ActivityFixture.events(count: 50, users: 3)
            let started = now.addingTimeInterval(-3600)
            // Past the API's checks (a bug upstream): jsonb refuses a lone surrogate (the raw row; the aggregates
            // do not hold `meta`). Two counters this large would overflow the cells they share: the cells saturate
            // instead, and nothing is refused.
            events.insert(
                ActivityEvent(
                    sourceID: "p", eventID: "bad-meta", userID: "u-x", type: .data, startedAt: started, meta: #"{"a": "\ud800"}"#,
                    receivedAt: now), at: 10)
            for index in 0..<2 {
                events.insert(
                    ActivityEvent(
                        sourceID: "p", eventID: "huge-\(index)", userID: "u-y", type: .data, startedAt: started, bytesUp: .max / 2 + 1,
                        receivedAt: now), at: 20 + index)
            }
            let sent = events
            try await ActivityFixture.with(partitions: 1) { fixture in
                let events = sent
                try await fixture.publish(events)
                try await fixture.drainAll()
                #expect(try await fixture.rawCount() == events.count - 1)
                #expect(try await fixture.scalar("SELECT count(*)::int8 FROM activity_aggregated_keys") == events.count)
                let refused = try await fixture.postgres.query(
                    "SELECT consumer_group, event_id FROM activity_refused ORDER BY 1, 2", logger: TestServices.logger)
                var setAside: [String] = []
                for try await (group, id) in refused.decode((String, String).self) { setAside.append("\(group):\(id)") }
                #expect(setAside == ["ingest:bad-meta"])
                for partition in 0..<1 {
                    for group in try await fixture.stream(partition).groups() { #expect(group.pending == 0) }
                }
                for table in ["activity_user_daily", "activity_user_monthly"] {
                    let cell = try await fixture.scalar("SELECT bytes_up FROM \(unescaped: table) WHERE user_id = 'u-y' AND type = 'DATA'")
                    #expect(cell == Int64.max, "\(table): saturated, not failed")
                }
                for table in ["activity_global_daily", "activity_global_monthly"] {
                    #expect(
                        try await fixture.scalar("SELECT max(bytes_up) FROM \(unescaped: table) WHERE type = 'DATA'") == Int64.max,
                        "\(table)")
                }
                // Every other user's cells exact (the global ones hold the saturated sums too).
                let isOtherUser = { (key: String) in !key.contains("|u-y|") && !key.contains("|*|") }
                let read = try await fixture.aggregates(monthly: false).filter { isOtherUser($0.key) }
                #expect(
                    read == fixture.expectedAggregates(events.filter { $0.userID != "u-y" }, monthly: false).filter { isOtherUser($0.key) })
                #expect(!read.isEmpty)
            }
        }

        @Test func aTimeZonePostgreSQLDoesNotKnowStopsTheAggregatorBeforeItCounts() async throws {
            try await ActivityFixture.with(partitions: 1) { fixture in
                let zone = try #require(TimeZone(secondsFromGMT: 5 * 3600))
                let writes = PostgresActivityWrites(client: fixture.postgres, timeZone: zone, logger: TestServices.logger)
                await #expect(throws: ActivityTimeZoneUnknown.self) { try await writes.checkTimeZone() }
                #expect(try await fixture.scalar("SELECT count(*)::int8 FROM activity_settings") == 0)
            }
        }

        @Test func eventsPastRetentionAreAppliedByNeitherGroup() async throws {
            let now = Date()
            let old = ActivityTimeWindow.monthStart(of: now, monthsBack: 14)
            let events = [
                ActivityEvent(sourceID: "p", eventID: "old", userID: "u", type: .smsSent, startedAt: old, receivedAt: now),
                ActivityEvent(sourceID: "p", eventID: "new", userID: "u", type: .smsSent, startedAt: now, receivedAt: now),
            ]
            try await ActivityFixture.with(partitions: 1) { fixture in
                try await fixture.publish(events)
                try await fixture.drainAll()
                #expect(try await fixture.rawCount() == 1)
                #expect(try await fixture.aggregates(monthly: true) == fixture.expectedAggregates([events[1]], monthly: true))
                #expect(try await PostgresActivityPartitions(client: fixture.postgres, logger: TestServices.logger).list().count == 1)
            }
        }
    }
}
