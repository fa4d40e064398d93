@testable import CallsWorker
import CallsStore
import EventBus
import Foundation
import JobQueue
import QueuePanel
import Testing
import TestSupport

extension IntegrationSuite {
    /// The worker's panel role against real Redis and PostgreSQL: one worker applies the stream at a time, a
    /// standby takes over when it dies, a leader that was replaced can no longer commit, and the sweep ends
    /// what the pure rules say it ends.
    @Suite struct PanelRoleTests {
        let rules = PanelRules(calendar: PanelCalendar(timeZone: TimeZone(identifier: "Europe/Berlin")!))

        func withStore(_ body: @Sendable (PostgresPanelStore) async throws -> Void) async throws {
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    try await body(PostgresPanelStore(client: client, logger: TestServices.logger))
                }
            }
        }

        @Test func aReplacedLeaderCannotCommit() async throws {
            let events = PanelStoreTests.morning()
            let rules = rules
            try await withStore { store in
                let first = try await store.takeFence()
                #expect(try await store.apply(Array(events[..<10]), rules: rules, fence: first).applied == 10)
                let second = try await store.takeFence()
                #expect(second > first)
                await #expect(throws: PanelFenced(fence: first)) {
                    try await store.apply(Array(events[10...]), rules: rules, fence: first)
                }
                await #expect(throws: PanelFenced(fence: first)) {
                    try await store.sweepGhosts(now: Date(), limits: GhostLimits(), fence: first)
                }
                #expect(try await store.state() == PanelStoreTests.expectedState(Array(events[..<10]), rules: rules))
                #expect(try await store.apply(Array(events[10...]), rules: rules, fence: second).applied == events.count - 10)
                #expect(try await store.state() == PanelStoreTests.expectedState(events, rules: rules))
            }
        }

        /// Two sweeps, one that ends only waiting callers and one that ends calls and agents' calls too: the
        /// store ends exactly what `PanelState.sweepGhosts` ends.
        @Test func theSweepEndsWhatThePureSweepEnds() async throws {
            let events = PanelStoreTests.morning()
            let rules = rules
            let last = events.map(\.time).max()!
            try await withStore { store in
                _ = try await store.apply(events, rules: rules)
                var expected = PanelStoreTests.expectedState(events, rules: rules)
                let limits = GhostLimits(waitingSeconds: 3600, callSeconds: 3 * 3600)
                var total = 0
                for now in [last.addingTimeInterval(2 * 3600), last.addingTimeInterval(4 * 3600)] {
                    let pure = expected.sweepGhosts(now: now, limits: limits)
                    let stored = try await store.sweepGhosts(now: now, limits: limits, fence: nil)
                    #expect(stored.map { "\($0)" }.sorted() == pure.map { "\($0)" }.sorted())
                    #expect(try await store.state() == expected)
                    let day = rules.calendar.day(of: now)
                    #expect(try await store.queueStatuses(now: now, today: day) == expected.queueStatuses(now: now, today: day))
                    total += stored.count
                }
                #expect(
                    Set(try await store.sweepGhosts(now: last.addingTimeInterval(5 * 3600), limits: limits, fence: nil).map(\.kind)).isEmpty
                )
                #expect(total > 2, "the morning leaves callers and calls to sweep")
            }
        }

        /// While events wait on the stream (after an outage), the sweep's clock stands where they start: a
        /// caller whose next events are among them is not taken for lost. Once they are applied it sweeps.
        @Test func theSweepWaitsForTheBacklog() async throws {
            let shift = Date().addingTimeInterval(-2 * 3600).timeIntervalSince(PanelStoreTests.morning().last!.time)
            let events = PanelStoreTests.morning().map { event in
                var moved = event
                moved.time = event.time.addingTimeInterval(shift.rounded(.down))
                return moved
            }
            let rules = rules
            try await withStore { store in
                _ = try await store.apply(events, rules: rules)
                let redis = RedisClient(url: try TestServices.redisURL())
                let keys = TelephonyStreamKeys(namespace: "test-\(UUID().uuidString)")
                let stream = EventStream(redis: redis, key: keys.stream)
                try await stream.createGroup(PanelConsumer.group)
                // An event waiting since three hours ago (the id is its time on the stream).
                let threeHoursAgo = Int(Date().addingTimeInterval(-3 * 3600).timeIntervalSince1970 * 1000)
                _ = try await redis.command("XADD", keys.stream, "\(threeHoursAgo)-0", "e", events[0].payload)
                let role = PanelRole(
                    consumer: PanelConsumer(
                        stream: stream, store: store, rules: rules, consumer: "w1", claimAfter: .zero, logger: TestServices.logger),
                    lease: StreamLease(redis: redis, key: keys.panelLease), store: store, timing: PanelTiming(leaseTTL: .seconds(10)),
                    limits: GhostLimits(waitingSeconds: 3600, callSeconds: 3600), logger: TestServices.logger)
                let before = try await store.state()
                #expect(!before.waiting.isEmpty)
                try await role.sweep(fence: try await store.takeFence())
                #expect(try await store.state() == before, "nothing swept while the backlog waits")
                _ = try await redis.command("DEL", keys.stream)
                try await role.sweep(fence: try await store.takeFence())
                let after = try await store.state()
                #expect(after.waiting.isEmpty && after.calls.isEmpty, "swept once nothing waits")
                await redis.shutdown()
            }
        }

        /// Received events are forgotten past their retention, oldest first and a bounded number at a time.
        @Test func oldReceivedEventsAreForgottenInBoundedDeletes() async throws {
            let events = PanelStoreTests.morning()
            let rules = rules
            try await withStore { store in
                _ = try await store.apply(events, rules: rules)
                #expect(try await store.forgetEvents(appliedBefore: Date().addingTimeInterval(-3600), limit: 1000) == 0)
                #expect(try await store.forgetEvents(appliedBefore: Date().addingTimeInterval(3600), limit: 7) == 7)
                #expect(try await store.storedKeys(events.map(\.key)).count == events.count - 7)
                #expect(try await store.forgetEvents(appliedBefore: Date().addingTimeInterval(3600), limit: 1000) == events.count - 7)
                #expect(try await store.storedKeys(events.map(\.key)).isEmpty)
            }
        }

        @Test func aStandbyTakesOverWhenTheLeaderDiesAndNothingIsLostOrCountedTwice() async throws {
            let events = PanelStoreTests.morning()
            let rules = rules
            let half = events.count / 2
            try await withStore { store in
                let redis = RedisClient(url: try TestServices.redisURL())
                let keys = TelephonyStreamKeys(namespace: "test-\(UUID().uuidString)")
                let stream = EventStream(redis: redis, key: keys.stream)
                let lease = StreamLease(redis: redis, key: keys.panelLease)
                let readers = [RedisClient(url: try TestServices.redisURL()), RedisClient(url: try TestServices.redisURL())]
                func role(_ owner: String, _ readerClient: RedisClient) -> PanelRole {
                    let consumer = PanelConsumer(
                        stream: EventStream(redis: readerClient, key: keys.stream), store: store, rules: rules, consumer: owner,
                        batchSize: 5, claimAfter: .zero, logger: TestServices.logger)
                    var timing = PanelTiming(leaseTTL: .seconds(1))
                    timing.readBlock = .milliseconds(100)
                    // The morning is long past: no sweep here, or it would end its callers.
                    let century = 100 * 365 * 86_400
                    return PanelRole(
                        consumer: consumer, lease: lease, store: store, timing: timing,
                        limits: GhostLimits(waitingSeconds: century, callSeconds: century),
                        logger: TestServices.logger)
                }
                _ = try await stream.append(events[..<half].map(\.payload))
                let first = Task { await role("w1", readers[0]).compete() }
                try await expectEventually("the first half applied", within: 20) {
                    try await store.state() == PanelStoreTests.expectedState(Array(events[..<half]), rules: rules)
                }
                #expect(try await lease.holder() == "w1")
                let second = Task { await role("w2", readers[1]).compete() }
                // The leader dies without handing over: the standby waits out its lease.
                first.cancel()
                _ = await first.value
                _ = try await stream.append(events[half...].map(\.payload))
                try await expectEventually("the standby applied the rest", within: 20) {
                    try await store.state() == PanelStoreTests.expectedState(events, rules: rules)
                }
                #expect(try await lease.holder() == "w2")
                second.cancel()
                _ = await second.value
                let group = try await stream.groups().first { $0.name == PanelConsumer.group }
                #expect(group?.pending == 0)
                _ = try await redis.command("DEL", keys.stream, keys.panelLease)
                await redis.shutdown()
                for reader in readers { await reader.shutdown() }
            }
        }
    }
}
