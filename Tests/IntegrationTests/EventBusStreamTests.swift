import EventBus
import Foundation
import JobQueue
import Testing
import TestSupport

extension IntegrationSuite {
    /// The event bus against a real Redis: at-least-once delivery to each group, pending entries taken over
    /// from a dead consumer, and trimming only below what every group acknowledged.
    @Suite struct EventBusStreamTests {
        func withStream(_ body: (EventStream) async throws -> Void) async throws {
            let redis = RedisClient(url: try TestServices.redisURL())
            let stream = EventStream(redis: redis, key: "test:{events}:\(UUID().uuidString)")
            do {
                try await body(stream)
            } catch {
                _ = try? await redis.command("DEL", stream.key)
                await redis.shutdown()
                throw error
            }
            try await redis.command("DEL", stream.key)
            await redis.shutdown()
        }

        @Test func eachGroupGetsEveryEntryInOrderAndAnUnacknowledgedOneAgain() async throws {
            try await withStream { stream in
                try await stream.createGroup("panel")
                try await stream.createGroup("panel")  // a second start finds it there
                let ids = try await stream.append(["a", "b", "c"])
                #expect(ids.count == 3)
                let first = try await stream.readNew(group: "panel", consumer: "w1", count: 2, block: .milliseconds(100))
                #expect(first.map(\.payload) == ["a", "b"])
                #expect(first.map(\.id) == Array(ids[..<2]))
                try await stream.acknowledge(group: "panel", ids: [first[0].id])

                // The consumer restarts: what it read and did not acknowledge comes back first.
                let again = try await stream.readOwnPending(group: "panel", consumer: "w1", count: 10)
                #expect(again.map(\.payload) == ["b"])
                let rest = try await stream.readNew(group: "panel", consumer: "w1", count: 10, block: .milliseconds(100))
                #expect(rest.map(\.payload) == ["c"])
                #expect(try await stream.readNew(group: "panel", consumer: "w1", count: 10, block: .milliseconds(50)).isEmpty)
            }
        }

        @Test func aLiveConsumerTakesOverWhatADeadOneHeld() async throws {
            try await withStream { stream in
                try await stream.createGroup("panel")
                _ = try await stream.append(["a", "b", "c"])
                let held = try await stream.readNew(group: "panel", consumer: "dead", count: 3, block: .milliseconds(100))
                #expect(held.count == 3)
                // Not idle long enough yet for a 60 s claim.
                #expect(try await stream.claimIdle(group: "panel", consumer: "live", minIdle: .seconds(60), count: 10).isEmpty)
                let claimed = try await stream.claimIdle(group: "panel", consumer: "live", minIdle: .zero, count: 10)
                #expect(claimed.map(\.payload) == ["a", "b", "c"])
                try await stream.acknowledge(group: "panel", ids: claimed.map(\.id))
                #expect(try await stream.groups().first?.pending == 0)
            }
        }

        @Test func trimmingKeepsWhatAnyGroupHasNotAcknowledged() async throws {
            try await withStream { stream in
                try await stream.createGroup("panel")
                try await stream.createGroup("cdr")
                let ids = try await stream.append(["1", "2", "3", "4", "5"])
                let panel = try await stream.readNew(group: "panel", consumer: "p", count: 5, block: .milliseconds(100))
                try await stream.acknowledge(group: "panel", ids: panel.map(\.id))
                let cdr = try await stream.readNew(group: "cdr", consumer: "c", count: 3, block: .milliseconds(100))
                try await stream.acknowledge(group: "cdr", ids: [cdr[0].id, cdr[1].id])

                // cdr acknowledged 1 and 2, holds 3 and has not read 4 and 5.
                let groups = try await stream.groups().sorted { $0.name < $1.name }
                #expect(groups.map(\.name) == ["cdr", "panel"])
                #expect(groups[0].pending == 1 && groups[0].lag == 2 && groups[0].oldestPendingID == ids[2])
                #expect(groups[1].pending == 0 && groups[1].lag == 0)
                #expect(try await stream.trimAcknowledged() == 2)
                #expect(try await stream.length() == 3)

                try await stream.acknowledge(group: "cdr", ids: [cdr[2].id])
                #expect(try await stream.trimAcknowledged() == 1)
                let tail = try await stream.readNew(group: "cdr", consumer: "c", count: 5, block: .milliseconds(100))
                #expect(tail.map(\.payload) == ["4", "5"])
                try await stream.acknowledge(group: "cdr", ids: tail.map(\.id))
                #expect(try await stream.trimAcknowledged() == 2)
                #expect(try await stream.length() == 0)
            }
        }

        @Test func withoutAGroupNothingIsTrimmed() async throws {
            try await withStream { stream in
                _ = try await stream.append(["x"])
                #expect(try await stream.trimAcknowledged() == 0)
                #expect(try await stream.length() == 1)
            }
        }

        @Test func anAppendPastTheBacklogCapAddsNothing() async throws {
            try await withStream { stream in
                _ = try await stream.append(["a", "b", "c"], maxLength: 4)
                await #expect(throws: EventStream.BacklogFull(length: 3)) {
                    try await stream.append(["d", "e"], maxLength: 4)
                }
                #expect(try await stream.length() == 3)
                #expect(try await stream.append(["d"], maxLength: 4).count == 1)
            }
        }

        /// How old the panel's data may be: the oldest entry the group has not acknowledged, delivered or not.
        @Test func theOldestUnacknowledgedEntryIsPendingOrNextToDeliver() async throws {
            try await withStream { stream in
                let ids = try await stream.append(["a", "b", "c"])
                #expect(try await stream.oldestUnacknowledgedID(group: "panel") == ids[0])  // no group yet
                try await stream.createGroup("panel")
                let read = try await stream.readNew(group: "panel", consumer: "w1", count: 2, block: .milliseconds(50))
                try await stream.acknowledge(group: "panel", ids: [read[0].id])
                #expect(try await stream.oldestUnacknowledgedID(group: "panel") == ids[1])
                try await stream.acknowledge(group: "panel", ids: [read[1].id])
                #expect(try await stream.oldestUnacknowledgedID(group: "panel") == ids[2])
                let last = try await stream.readNew(group: "panel", consumer: "w1", count: 2, block: .milliseconds(50))
                try await stream.acknowledge(group: "panel", ids: last.map(\.id))
                #expect(try await stream.oldestUnacknowledgedID(group: "panel") == nil)
                let added = EventStream.addedAt(id: ids[0])
                #expect(abs(added.timeIntervalSinceNow) < 600)
            }
        }

        @Test func aLeaseHasOneHolderUntilItIsReleasedOrLapses() async throws {
            let redis = RedisClient(url: try TestServices.redisURL())
            let lease = StreamLease(redis: redis, key: "test:{lease}:\(UUID().uuidString)")
            #expect(try await lease.acquire(owner: "a", ttl: .seconds(30)))
            #expect(try await lease.acquire(owner: "a", ttl: .seconds(30)))  // its holder may take it again
            #expect(try await !lease.acquire(owner: "b", ttl: .seconds(30)))
            #expect(try await !lease.renew(owner: "b", ttl: .seconds(30)))
            #expect(try await lease.renew(owner: "a", ttl: .seconds(30)))
            try await lease.release(owner: "b")  // not the holder: nothing happens
            #expect(try await lease.holder() == "a")
            try await lease.release(owner: "a")
            #expect(try await lease.acquire(owner: "b", ttl: .milliseconds(200)))
            try await expectEventually("the lease lapsed", within: 10) { try await lease.holder() == nil }
            #expect(try await !lease.renew(owner: "b", ttl: .seconds(30)))
            #expect(try await lease.acquire(owner: "a", ttl: .seconds(30)))
            _ = try await redis.command("DEL", lease.key)
            await redis.shutdown()
        }
    }
}
