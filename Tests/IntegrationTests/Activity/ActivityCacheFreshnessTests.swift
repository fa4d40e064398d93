import Activity
@testable import CallsAPI
import CallsCore
import CallsStore
@testable import CallsWorker
import Foundation
import Synchronization
import TestSupport
import Testing

extension IntegrationSuite {
    /// The freshness guarantee of the aggregate cache, as stated: once the aggregator has acknowledged an event,
    /// no read returns an aggregate that misses it for longer than `CALLS_ACTIVITY_CACHE_SECONDS`. Real API,
    /// Redis cache, stream and aggregator; the event is acknowledged right after a read filled the cache, the
    /// worst moment, while reads go on back to back, so a stale answer served too long is seen.
    @Suite struct ActivityCacheFreshnessTests {
        /// Slack on top of the bound for Redis: it expires an entry by its own millisecond clock when the entry
        /// is next touched. Reads are judged by when they were sent, so a busy machine that delays an answer
        /// (two shared cores) cannot make a fresh read look late, and an entry living a tenth longer than the
        /// bound is still caught.
        static let tolerance = Duration.milliseconds(50)

        @Test(arguments: [false, true]) func noReadMissesAnAcknowledgedEventLongerThanTheBound(global: Bool) async throws {
            try await Stack.withMigrated { base, url in
                var stack = base
                // Above the default 2 s: the acknowledgement and the first read after it must fit in what is left
                // of the entry's life, also on a loaded machine.
                stack.api.activity.cacheSeconds = 3
                let settings = stack
                let bound = Duration.seconds(stack.api.activity.cacheSeconds)
                try await ActivityReadTests.execute(ActivityReadTests.aggregateRows, url: url)
                let uri = "/api/v1/aggregates?period=day&from=2025-10-20&to=2025-10-20&type=CALL_OUT" + (global ? "" : "&user_id=u1")
                let query = ActivityAggregateQuery(
                    period: .day, from: ActivityDay(text: "2025-10-20")!, to: ActivityDay(text: "2025-10-20")!, type: .callOut,
                    userID: global ? nil : "u1")
                let cacheKey = ActivityCacheKeys(namespace: stack.api.queue.name, partitions: stack.api.activity.partitions).key(query)
                let event = ActivityEvent(
                    sourceID: "fresh", eventID: "e1", userID: "u1", type: .callOut, startedAt: Timestamp.parse("2025-10-20T12:00:00Z")!,
                    durationSeconds: 60, receivedAt: Date())
                try await ActivityFixture.with(
                    database: url, redis: stack.api.queue.redis, namespace: stack.api.queue.name,
                    partitions: stack.api.activity.partitions, timeZone: stack.api.activity.timeZone
                ) { fixture in
                    let partition = ActivityPartitioner(partitions: fixture.keys.partitions).partition(ofUser: event.userID)
                    let aggregator = {
                        var consumer = fixture.consumer(.aggregate, partition: partition)
                        consumer.retentionMonths = 1200  // 2025-10-20 is never past retention, whenever this runs
                        return consumer
                    }()
                    try await aggregator.stream.createGroup(ActivityGroup.aggregate.name)
                    try await fixture.publish([event])
                    try await settings.withAPI { client in
                        let before = try #require(try await ActivityReadTests.count(client, uri))
                        #expect(before == (global ? 13 : 3))
                        let lifetime = try await fixture.redis.command("PTTL", cacheKey).integer ?? -2
                        #expect(lifetime > 0 && lifetime <= 3000, "the answer is cached, for at most the bound: \(lifetime) ms")
                        let reads = ReadLog()
                        let acknowledgedAt = try await withThrowingTaskGroup(of: ContinuousClock.Instant?.self) { tasks in
                            tasks.addTask {
                                while !reads.stopped {
                                    let sent = ContinuousClock.now
                                    let count = try await ActivityReadTests.count(client, uri)
                                    reads.append(ReadLog.Read(sent: sent, received: .now, count: count))
                                }
                                return nil
                            }
                            let acknowledgedAt = try await Self.acknowledge(with: aggregator)
                            try await Task.sleep(until: acknowledgedAt + bound + Self.tolerance + .seconds(1))
                            reads.stop()
                            try await tasks.waitForAll()
                            return acknowledgedAt
                        }
                        #expect(try await fixture.stream(partition).groups().allSatisfy { $0.pending == 0 }, "acknowledged")
                        Self.check(reads.all, acknowledgedAt: acknowledgedAt, before: before, bound: bound)
                    }
                }
            }
        }

        /// Runs the aggregator until it has applied and acknowledged the event; the instant it had.
        static func acknowledge(with aggregator: ActivityConsumer) async throws -> ContinuousClock.Instant {
            var phase = StreamConsumerPhase()
            for _ in 0..<10 where try await aggregator.step(&phase, block: .milliseconds(100)) > 0 {
                // `step` returns after its XACK, which follows the commit.
                return .now
            }
            throw ActivityCacheFreshnessFailure.notApplied
        }

        static func check(_ reads: [ReadLog.Read], acknowledgedAt: ContinuousClock.Instant, before: Int, bound: Duration) {
            let deadline = acknowledgedAt + bound + tolerance
            let afterAcknowledgement = reads.filter { $0.sent > acknowledgedAt }
            let stale = afterAcknowledgement.filter { $0.count == before }
            #expect(afterAcknowledgement.allSatisfy { $0.count == before || $0.count == before + 1 }, "\(reads.map(\.count))")
            #expect(!stale.isEmpty, "a cached answer was served after the acknowledgement, so the cache was really in the way")
            let lastStale = stale.map { $0.sent - acknowledgedAt }.max() ?? .zero
            #expect(stale.allSatisfy { $0.sent <= deadline }, "a read sent \(lastStale) after the acknowledgement missed the event")
            // Reads went on from the acknowledgement to past the deadline, so a stale answer served too long
            // would have been read; how densely shows in the figures printed below.
            let window = afterAcknowledgement.filter { $0.sent <= deadline + .milliseconds(500) }
            let gaps = zip(window, window.dropFirst()).map { $1.sent - $0.sent }
            #expect(afterAcknowledgement.contains { $0.sent > deadline }, "reads went on past the deadline")
            #expect(reads.last?.count == before + 1, "the change shows")
            print(
                "cache freshness: \(afterAcknowledgement.count) reads after the acknowledgement, the last stale one sent \(lastStale) after it, "
                    + "longest pause between reads around the bound \(gaps.max() ?? .zero)")
        }
    }
}

enum ActivityCacheFreshnessFailure: Error {
    case notApplied
}

/// The reads one task made, in order, and the flag that stops it.
final class ReadLog: Sendable {
    struct Read: Sendable {
        var sent: ContinuousClock.Instant
        var received: ContinuousClock.Instant
        var count: Int?
    }

    private let reads = Mutex<[Read]>([])
    private let stopFlag = Mutex(false)

    func append(_ read: Read) { reads.withLock { $0.append(read) } }
    var all: [Read] { reads.withLock { $0 } }
    func stop() { stopFlag.withLock { $0 = true } }
    var stopped: Bool { stopFlag.withLock { $0 } }
}
