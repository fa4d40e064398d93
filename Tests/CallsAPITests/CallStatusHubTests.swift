@testable import CallsAPI
import Foundation
import Testing

/// The waiting primitive under long polls and event streams: no signal is lost between two waits, and a wait
/// ends at its deadline or when its task is cancelled.
@Suite struct CallStatusHubTests {
    @Test func aSignalBeforeTheWaitIsKeptAndOnlyTheCallsOwnSubscribersWake() async {
        let hub = CallStatusHub()
        let id = UUID()
        let mine = hub.subscribe(to: id)
        let other = hub.subscribe(to: UUID())
        hub.publish(payload: "\(id.uuidString.lowercased()):processing")
        #expect(await mine.wait(until: .now + .seconds(5)))
        #expect(await !other.wait(until: .now + .milliseconds(50)))
        #expect(await !mine.wait(until: .now + .milliseconds(50)), "one signal wakes one wait")
        hub.publish(payload: "garbage")
        hub.publishToAll()
        #expect(await other.wait(until: .now + .seconds(5)))
        hub.unsubscribe(mine)
        hub.unsubscribe(other)
        #expect(hub.subscriberCount == 0)
    }

    @Test func aWaitingTaskWakesOnASignalAndStopsWhenCancelled() async {
        let hub = CallStatusHub()
        let id = UUID()
        let subscription = hub.subscribe(to: id)
        let woken = Task { await subscription.wait(until: .now + .seconds(30)) }
        try? await Task.sleep(for: .milliseconds(50))
        hub.publish(payload: "\(id.uuidString):ready")
        #expect(await woken.value)

        let cancelled = Task { await subscription.wait(until: .now + .seconds(30)) }
        try? await Task.sleep(for: .milliseconds(50))
        cancelled.cancel()
        #expect(await !cancelled.value)
        hub.unsubscribe(subscription)
    }
}
