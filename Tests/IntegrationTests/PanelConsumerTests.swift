@testable import CallsWorker
import CallsStore
import EventBus
import Foundation
import JobQueue
import Logging
import PostgresNIO
import QueuePanel
import Testing

extension IntegrationSuite {
    /// The panel consumer between a real Redis stream and PostgreSQL: what is on the stream ends up applied
    /// exactly once, whichever consumer dies where.
    @Suite struct PanelConsumerTests {
        let rules = PanelRules(calendar: PanelCalendar(timeZone: TimeZone(identifier: "Europe/Berlin")!))

        func withConsumers(
            _ body: @Sendable (EventStream, PostgresPanelStore, (String, Duration) -> PanelConsumer) async throws -> Void
        ) async throws {
            let rules = rules
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    let redis = RedisClient(url: try TestServices.redisURL())
                    let stream = EventStream(redis: redis, key: "test:{events}:\(UUID().uuidString)")
                    let store = PostgresPanelStore(client: client, logger: TestServices.logger)
                    defer {
                        Task {
                            _ = try? await redis.command("DEL", stream.key)
                            await redis.shutdown()
                        }
                    }
                    try await body(stream, store) { name, claimAfter in
                        PanelConsumer(
                            stream: stream, store: store, rules: rules, consumer: name, batchSize: 7, claimAfter: claimAfter,
                            logger: TestServices.logger)
                    }
                }
            }
        }

        /// Steps until a read in the `.new` phase brings nothing.
        func drain(_ consumer: PanelConsumer) async throws {
            var phase = StreamConsumerPhase()
            for _ in 0..<1000 {
                let reading = phase.next
                let entries = try await consumer.step(&phase, block: .milliseconds(20))
                if reading == .new, entries == 0 { return }
            }
            Issue.record("the consumer did not drain the stream in 1000 steps")
        }

        @Test func theStreamEndsUpInThePanel() async throws {
            let events = PanelStoreTests.morning()
            let truth = PanelStoreTests.expectedState(events, rules: rules)
            try await withConsumers { stream, store, consumer in
                try await stream.createGroup(PanelConsumer.group)
                _ = try await stream.append(events.map(\.payload))
                try await drain(consumer("w1", .seconds(30)))
                #expect(try await store.state() == truth)
                #expect(try await stream.groups().first?.pending == 0)
            }
        }

        /// One consumer dies after reading a batch; the next takes it over, commits it and dies before
        /// acknowledging it; a third takes that over and goes on: nothing is lost, nothing counted twice, and
        /// every event applied in order (one consumer of the group reads at a time).
        @Test func consumersDyingMidBatchLoseNothingAndCountNothingTwice() async throws {
            let events = PanelStoreTests.morning()
            let truth = PanelStoreTests.expectedState(events, rules: rules)
            let rules = rules
            try await withConsumers { stream, store, consumer in
                try await stream.createGroup(PanelConsumer.group)
                _ = try await stream.append(events.map(\.payload))
                let read = try await stream.readNew(group: PanelConsumer.group, consumer: "dead-early", count: 20, block: .milliseconds(50))
                #expect(read.count == 20)
                let claimed = try await stream.claimIdle(group: PanelConsumer.group, consumer: "dead-late", minIdle: .zero, count: 20)
                #expect(claimed == read)
                let result = try await store.apply(claimed.compactMap { $0.payload.flatMap(QueueEvent.init(payload:)) }, rules: rules)
                #expect(result.applied == 20)

                try await drain(consumer("survivor", .zero))
                #expect(try await store.state() == truth)
                let groups = try await stream.groups()
                #expect(groups.first?.pending == 0)
                #expect(groups.first?.lag == 0)
            }
        }

        /// A replaced holder that reads after the takeover holds newer entries; the holder claims them before
        /// reading past them, so a call's events still apply in order.
        @Test func entriesAnotherConsumerReadComeBeforeNewerOnes() async throws {
            let events = PanelStoreTests.morning()
            let truth = PanelStoreTests.expectedState(events, rules: rules)
            try await withConsumers { stream, store, consumer in
                try await stream.createGroup(PanelConsumer.group)
                _ = try await stream.append(events[..<20].map(\.payload))
                let holder = consumer("holder", .zero)
                var phase = StreamConsumerPhase()
                for _ in 0..<10 {
                    let lag = try await stream.groups().first?.lag ?? 0
                    if phase.next == .new, lag == 0 { break }
                    try await holder.step(&phase, block: .milliseconds(20))
                }
                #expect(phase.next == .new)
                _ = try await stream.append(events[20...].map(\.payload))
                let late = try await stream.readNew(group: PanelConsumer.group, consumer: "replaced", count: 5, block: .milliseconds(20))
                #expect(late.count == 5)
                #expect(try await holder.step(&phase, block: .milliseconds(20)) == 5, "the replaced holder's entries first")
                try await drain(holder)
                #expect(try await store.state() == truth)
                #expect(try await stream.groups().first?.pending == 0)
            }
        }

        /// The race the check before a read cannot see: a replaced holder reads right after it. What the holder
        /// then reads is newer than what the replaced one took, so those are claimed and put first.
        @Test func entriesAnotherConsumerReadJustBeforeAreClaimedAheadOfTheRead() async throws {
            let events = PanelStoreTests.morning()
            try await withConsumers { stream, _, consumer in
                try await stream.createGroup(PanelConsumer.group)
                let ids = try await stream.append(events[..<10].map(\.payload))
                let replaced = try await stream.readNew(
                    group: PanelConsumer.group, consumer: "replaced", count: 5, block: .milliseconds(20))
                let holder = consumer("holder", .zero)
                let read = try await stream.readNew(group: PanelConsumer.group, consumer: "holder", count: 10, block: .milliseconds(20))
                #expect(replaced.map(\.id) == Array(ids[..<5]) && read.map(\.id) == Array(ids[5...]))
                let ordered = try await holder.claimingEarlier(than: read)
                #expect(ordered.map(\.id) == ids)
                #expect(
                    try await stream.pendingOfOthers(group: PanelConsumer.group, before: "99999999999999-0", consumer: "holder", count: 100)
                        .isEmpty)
                // A consumer that waits for idle entries (not the lease holder) leaves them to that wait.
                #expect(try await consumer("other", .seconds(30)).claimingEarlier(than: read).map(\.id) == Array(ids[5...]))
            }
        }

        /// An event the database refuses (here a store that fails one event with PostgreSQL's own data error)
        /// is skipped alone; the rest of its batch is applied and the stream goes on.
        @Test func anEventTheDatabaseRefusesIsSkippedAloneAndTheStreamGoesOn() async throws {
            let events = PanelStoreTests.morning()
            let poison = events[12]
            let truth = PanelStoreTests.expectedState(events.filter { $0.id != poison.id }, rules: rules)
            let rules = rules
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    let redis = RedisClient(url: try TestServices.redisURL())
                    let stream = EventStream(redis: redis, key: "test:{events}:\(UUID().uuidString)")
                    let store = RefusingPanelStore(
                        store: PostgresPanelStore(client: client, logger: TestServices.logger), client: client, refused: poison.key)
                    try await stream.createGroup(PanelConsumer.group)
                    _ = try await stream.append(events.map(\.payload))
                    let consumer = PanelConsumer(
                        stream: stream, store: store, rules: rules, consumer: "w1", batchSize: 50, claimAfter: .zero,
                        logger: TestServices.logger)
                    try await drain(consumer)
                    #expect(try await store.state() == truth)
                    #expect(try await stream.groups().first?.pending == 0)
                    _ = try await redis.command("DEL", stream.key)
                    await redis.shutdown()
                }
            }
        }
    }
}

/// PostgreSQL's panel store, except that a batch holding `refused` fails with a real data error of the
/// database (a cast PostgreSQL refuses), as a value it cannot store would.
struct RefusingPanelStore: PanelStore {
    let store: PostgresPanelStore
    let client: PostgresClient
    let refused: QueueEvent.Key

    func apply(_ events: [QueueEvent], rules: PanelRules, fence: Int64?) async throws -> PanelBatchResult {
        if events.contains(where: { $0.key == refused }) {
            _ = try await client.query("SELECT 'refused'::int", logger: TestServices.logger).collect()
        }
        return try await store.apply(events, rules: rules, fence: fence)
    }

    func state() async throws -> PanelState { try await store.state() }
    func takeFence() async throws -> Int64 { try await store.takeFence() }
    func sweepGhosts(now: Date, limits: GhostLimits, fence: Int64?) async throws -> [PanelState.GhostReset] {
        try await store.sweepGhosts(now: now, limits: limits, fence: fence)
    }
    func forgetEvents(appliedBefore cutoff: Date, limit: Int) async throws -> Int {
        try await store.forgetEvents(appliedBefore: cutoff, limit: limit)
    }
}
