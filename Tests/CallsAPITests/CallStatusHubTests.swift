@testable import CallsAPI
import Foundation
import Testing

/// The waiting primitive under long polls and event streams: no signal is lost between two waits, a wait
/// ends at its deadline, when its task is cancelled or when it is closed, and the hub's places are indexed by
/// call, capped, and given back however a subscription ends.
@Suite struct CallStatusHubTests {
    @Test func aSignalBeforeTheWaitIsKeptAndOnlyTheCallsOwnSubscribersWake() async throws {
        let hub = CallStatusHub()
        let id = UUID()
        let mine = try hub.subscribe(to: id)
        let other = try hub.subscribe(to: UUID())
        hub.publish(payload: "\(id.uuidString.lowercased()):processing")
        #expect(await mine.wait(until: .now + .seconds(5)) == .signalled)
        #expect(await other.wait(until: .now + .milliseconds(50)) == .timedOut)
        #expect(await mine.wait(until: .now + .milliseconds(50)) == .timedOut, "one signal wakes one wait")
        hub.publish(payload: "garbage")
        hub.publishToAll()
        #expect(await other.wait(until: .now + .seconds(5)) == .signalled)
        mine.end()
        other.end()
        #expect(hub.subscriberCount == 0)
    }

    @Test func aWaitingTaskWakesOnASignalAndStopsWhenCancelled() async throws {
        let hub = CallStatusHub()
        let id = UUID()
        let subscription = try hub.subscribe(to: id)
        let woken = Task { await subscription.wait(until: .now + .seconds(30)) }
        try? await Task.sleep(for: .milliseconds(50))
        hub.publish(payload: "\(id.uuidString):ready")
        #expect(await woken.value == .signalled)

        let cancelled = Task { await subscription.wait(until: .now + .seconds(30)) }
        try? await Task.sleep(for: .milliseconds(50))
        cancelled.cancel()
        #expect(await cancelled.value == .timedOut)
        subscription.end()
    }

    @Test func subscriptionsAreIndexedByCallAndEmptyEntriesGo() throws {
        let hub = CallStatusHub()
        let first = UUID()
        let second = UUID()
        let a = try hub.subscribe(to: first)
        let b = try hub.subscribe(to: first)
        let c = try hub.subscribe(to: second)
        #expect(hub.subscriberCount == 3 && hub.watchedCallCount == 2)
        a.end()
        a.end()
        #expect(hub.subscriberCount == 2, "ending twice gives one place back")
        b.end()
        #expect(hub.watchedCallCount == 1, "a call nobody watches leaves the index")
        c.end()
        #expect(hub.subscriberCount == 0 && hub.watchedCallCount == 0)
    }

    /// An event stream's body may never run (the client left before the head); its subscription must not
    /// outlive the response that held it.
    @Test func aDroppedSubscriptionGivesItsPlaceBack() throws {
        let hub = CallStatusHub()
        var held: CallStatusSubscription? = try hub.subscribe(to: UUID())
        #expect(hub.subscriberCount == 1 && held != nil)
        held = nil
        #expect(hub.subscriberCount == 0)
    }

    @Test func theCapsRefuseOverTheLimitPerCallAndInAll() throws {
        let hub = CallStatusHub(limits: .init(perCall: 2, total: 3))
        let busy = UUID()
        let held = [try hub.subscribe(to: busy), try hub.subscribe(to: busy)]
        #expect(throws: CallStatusHub.Refusal.callFull(limit: 2)) { try hub.subscribe(to: busy) }
        let third = try hub.subscribe(to: UUID())
        #expect(throws: CallStatusHub.Refusal.hubFull(limit: 3)) { try hub.subscribe(to: UUID()) }
        third.end()
        #expect(throws: Never.self) { try hub.subscribe(to: UUID()).end() }
        held[0].end()
        #expect(throws: Never.self) { try hub.subscribe(to: busy).end() }
        #expect(hub.subscriberCount == 1)
    }

    @Test func closingEndsTheCurrentWaitAndEveryLaterOneAtOnce() async throws {
        let hub = CallStatusHub()
        let id = UUID()
        let subscription = try hub.subscribe(to: id)
        let waiting = Task { await subscription.wait(until: .now + .seconds(30)) }
        try? await Task.sleep(for: .milliseconds(50))
        let started = ContinuousClock.now
        subscription.close()
        #expect(await waiting.value == .closed)
        hub.publish(payload: "\(id.uuidString):ready")
        #expect(await subscription.wait(until: .now + .seconds(30)) == .closed, "a signal after closing does not reopen")
        #expect(ContinuousClock.now - started < .seconds(5))
        subscription.end()
    }
}
