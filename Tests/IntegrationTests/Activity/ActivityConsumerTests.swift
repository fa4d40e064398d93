import Activity
@testable import CallsStore
@testable import CallsWorker
import EventBus
import Foundation
import PostgresNIO
import Testing

extension IntegrationSuite {
    /// The two activity consumer groups between real Redis streams and PostgreSQL: every event stored and
    /// counted exactly once, whatever is sent twice, in whatever order, and whoever dies holding a batch.
    @Suite struct ActivityConsumerTests {
        @Test func theSameEventsSentTwiceAndReorderedAreStoredAndCountedOnce() async throws {
            let events = ActivityFixture.events(count: 600, users: 25)
            try await ActivityFixture.with { fixture in
                try await fixture.publish(events)
                // A provider's second delivery: the same events again, in another order across users.
                try await fixture.publish(events.reversed())
                try await fixture.publish(Array(events[100..<160]))
                try await fixture.drainAll()
                #expect(try await fixture.rawCount() == events.count)
                #expect(try await fixture.aggregates(monthly: false) == fixture.expectedAggregates(events, monthly: false))
                #expect(try await fixture.aggregates(monthly: true) == fixture.expectedAggregates(events, monthly: true))
                #expect(try await fixture.scalar("SELECT count(*)::int8 FROM activity_aggregated_keys") == events.count)
                for partition in 0..<fixture.keys.partitions {
                    for group in try await fixture.stream(partition).groups() { #expect(group.pending == 0) }
                }
                // Every partition of the stream got work: the users spread over them.
                for partition in 0..<fixture.keys.partitions { #expect(try await fixture.stream(partition).length() > 0) }
            }
        }

        @Test func rawEventsReadBackAsTheStreamCarriedThem() async throws {
            let events = ActivityFixture.events(count: 40, users: 3)
            try await ActivityFixture.with { fixture in
                try await fixture.publish(events)
                try await fixture.drainAll()
                let rows = try await fixture.postgres.query(
                    """
                    SELECT source_id, event_id, user_id, type, (extract(epoch FROM started_at) * 1000000)::int8,
                           COALESCE((extract(epoch FROM ended_at) * 1000000)::int8, -1), duration_sec, bytes_up, bytes_down,
                           COALESCE(meta::text, ''), (extract(epoch FROM received_at) * 1000000)::int8
                    FROM activity_events
                    """, logger: TestServices.logger)
                var stored: [String: ActivityEvent] = [:]
                for try await (source, id, user, type, started, ended, duration, up, down, meta, received) in rows.decode(
                    (String, String, String, String, Int64, Int64, Int64, Int64, Int64, String, Int64).self)
                {
                    stored[id] = ActivityEvent(
                        sourceID: source, eventID: id, userID: user, type: ActivityEventType(rawValue: type)!,
                        startedAt: Microseconds.date(started), endedAt: ended < 0 ? nil : Microseconds.date(ended),
                        durationSeconds: duration, bytesUp: up, bytesDown: down, meta: meta.isEmpty ? nil : meta,
                        receivedAt: Microseconds.date(received))
                }
                for event in events {
                    var expected = event
                    // jsonb writes `{"cell": "A3"}` with a space after the colon.
                    expected.meta = event.meta?.replacingOccurrences(of: "\":", with: "\": ")
                    #expect(stored[event.eventID] == expected)
                }
            }
        }

        /// A consumer reads a batch and dies; another commits it and dies before acknowledging; a third takes
        /// it over once idle: nothing lost, nothing counted twice.
        @Test func consumersDyingMidBatchLoseNothingAndCountNothingTwice() async throws {
            let events = ActivityFixture.events(count: 200, users: 1)
            try await ActivityFixture.with(partitions: 1) { fixture in
                let stream = fixture.stream(0)
                for group in ActivityGroup.allCases { try await stream.createGroup(group.name) }
                try await fixture.publish(events)
                for group in ActivityGroup.allCases {
                    let read = try await stream.readNew(group: group.name, consumer: "dead-early", count: 80, block: .milliseconds(50))
                    #expect(read.count == 80)
                    let claimed = try await stream.claimIdle(group: group.name, consumer: "dead-late", minIdle: .zero, count: 80)
                    #expect(claimed == read)
                    let batch = claimed.compactMap { $0.payload.flatMap(ActivityEvent.init(payload:)) }
                    switch group {
                    case .ingest: #expect(try await fixture.writes.store(batch).applied == 80)
                    case .aggregate: #expect(try await fixture.writes.aggregate(batch, stripe: 0).applied == 80)
                    }
                    // Survivor: takes the committed-but-unacknowledged batch over (applies nothing again), then the rest.
                    let survivor = fixture.consumer(group, partition: 0, name: "survivor", claimAfter: .zero)
                    var phase = StreamConsumerPhase()
                    for _ in 0..<50 {
                        let reading = phase.next
                        if try await survivor.step(&phase, block: .milliseconds(10)) == 0, reading == .new { break }
                    }
                    #expect(try await stream.pendingCount(group: group.name) == 0)
                }
                #expect(try await fixture.rawCount() == 200)
                #expect(try await fixture.aggregates(monthly: false) == fixture.expectedAggregates(events, monthly: false))
            }
        }

        /// Days and months are cut in the configured zone; raw partitions by UTC month.
        @Test func dayAndMonthBoundariesFollowTheTimeZone() async throws {
            let now = Date()
            // The last two month ends before now, in Berlin, seen from UTC.
            let berlin = {
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = TimeZone(identifier: "Europe/Berlin")!
                return calendar
            }()
            let thisMonth = berlin.date(from: berlin.dateComponents([.year, .month], from: now))!
            let lastMonth = berlin.date(byAdding: .month, value: -1, to: thisMonth)!
            let instants = [
                lastMonth.addingTimeInterval(-0.000001), lastMonth, lastMonth.addingTimeInterval(3600),
                thisMonth.addingTimeInterval(-1), thisMonth,
            ]
            let events = instants.enumerated().map { index, instant in
                ActivityEvent(
                    sourceID: "tz", eventID: "edge-\(index)", userID: "u-edge", type: .smsSent, startedAt: instant, receivedAt: now)
            }
            try await ActivityFixture.with(partitions: 2) { fixture in
                try await fixture.publish(events)
                try await fixture.drainAll()
                let daily = try await fixture.aggregates(monthly: false)
                #expect(daily == fixture.expectedAggregates(events, monthly: false))
                #expect(try await fixture.aggregates(monthly: true) == fixture.expectedAggregates(events, monthly: true))
                // The microsecond before Berlin's midnight is the previous month's last day, not the new month's first.
                let monthBefore = berlin.dateComponents([.year, .month], from: lastMonth.addingTimeInterval(-1))
                let lastDay = berlin.range(of: .day, in: .month, for: lastMonth.addingTimeInterval(-1))!.count
                let key = String(format: "%04d-%02d-%02d|u-edge|SMS_SENT", monthBefore.year!, monthBefore.month!, lastDay)
                #expect(daily[key]?.first == 1)
                // Raw rows sit in the partition of their UTC month.
                let misplaced = try await fixture.scalar(
                    """
                    SELECT count(*)::int8 FROM activity_events
                    WHERE tableoid::regclass::text <> 'activity_events_' || to_char(started_at AT TIME ZONE 'UTC', 'YYYY_MM')
                    """)
                #expect(misplaced == 0)
            }
        }

        @Test func anEventInAMonthWithoutAPartitionGetsOne() async throws {
            let now = Date()
            let old = ActivityTimeWindow.monthStart(of: now, monthsBack: 9).addingTimeInterval(86_400 * 3)
            let event = ActivityEvent(
                sourceID: "p", eventID: "old-1", userID: "u", type: .callIn, startedAt: old, durationSeconds: 30, receivedAt: now)
            try await ActivityFixture.with(partitions: 1) { fixture in
                let partitions = PostgresActivityPartitions(client: fixture.postgres, logger: TestServices.logger)
                #expect(try await partitions.list().isEmpty)
                try await fixture.publish([event])
                try await fixture.drainAll()
                #expect(try await fixture.rawCount() == 1)
                #expect(try await partitions.list().map(\.start) == [ActivityTimeWindow.monthStart(of: old, monthsBack: 0)])
                // Dropped behind the process' back: the next insert makes it again instead of failing.
                _ = try await fixture.postgres.query(
                    PostgresQuery(unsafeSQL: "DROP TABLE \(try await partitions.list()[0].name)"), logger: TestServices.logger)
                var copy = event
                copy.eventID = "old-2"
                #expect(try await fixture.writes.store([copy]).applied == 1)
                #expect(try await fixture.rawCount() == 1)
            }
        }

        @Test func aggregatesCutInAnotherZoneAreNotAddedTo() async throws {
            try await ActivityFixture.with(partitions: 1) { fixture in
                try await fixture.writes.checkTimeZone()
                try await fixture.writes.checkTimeZone()
                let utc = PostgresActivityWrites(client: fixture.postgres, timeZone: .gmt, logger: TestServices.logger)
                await #expect(throws: ActivityTimeZoneMismatch.self) { try await utc.checkTimeZone() }
            }
        }

        @Test func maintenanceMakesPartitionsAheadAndDropsThosePastRetentionWithTheirKeys() async throws {
            let now = Date()
            let old = ActivityTimeWindow.monthStart(of: now, monthsBack: 4).addingTimeInterval(3600)
            let kept = ActivityTimeWindow.monthStart(of: now, monthsBack: 1).addingTimeInterval(3600)
            let events = [
                ActivityEvent(sourceID: "p", eventID: "old", userID: "u", type: .data, startedAt: old, receivedAt: now),
                ActivityEvent(sourceID: "p", eventID: "kept", userID: "u", type: .data, startedAt: kept, receivedAt: now),
            ]
            try await ActivityFixture.with(partitions: 1) { fixture in
                try await fixture.publish(events)
                try await fixture.drainAll()
                let partitions = PostgresActivityPartitions(client: fixture.postgres, logger: TestServices.logger)
                let maintenance = ActivityPartitionMaintenance(partitions: partitions, retentionMonths: 3, logger: TestServices.logger)
                try await maintenance.maintain(now: now)
                let starts = try await partitions.list().map(\.start)
                #expect(starts == [1, 0, -1, -2].map { ActivityTimeWindow.monthStart(of: now, monthsBack: $0) })
                #expect(try await fixture.rawCount() == 1)
                #expect(try await fixture.scalar("SELECT count(*)::int8 FROM activity_ingested_keys WHERE event_id = 'old'") == 0)
                #expect(try await fixture.scalar("SELECT count(*)::int8 FROM activity_aggregated_keys WHERE event_id = 'old'") == 0)
                #expect(try await fixture.scalar("SELECT count(*)::int8 FROM activity_ingested_keys WHERE event_id = 'kept'") == 1)
                // Aggregates are not raw events: they stay.
                #expect(try await fixture.aggregates(monthly: true).count == 2 * 2)
                try await maintenance.maintain(now: now)
                #expect(try await partitions.list().map(\.start) == starts)
            }
        }
    }
}
