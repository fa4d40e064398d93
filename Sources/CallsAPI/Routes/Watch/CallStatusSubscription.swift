import Foundation

/// One request's watch on one call, holding its place in the hub until `end()` or until it is dropped.
///
/// Dropping counts because an event stream's body may never run: when the client goes away before the
/// response head is written, Hummingbird drops the response, and with it the body closure holding this.
final class CallStatusSubscription: Sendable {
    let callID: UUID
    private let wakeups: CallStatusSignal
    private let hub: CallStatusHub

    init(callID: UUID, wakeups: CallStatusSignal, hub: CallStatusHub) {
        self.callID = callID
        self.wakeups = wakeups
        self.hub = hub
    }

    deinit { end() }

    /// `.signalled` once the call may have changed (at once if that happened since the last wait), `.timedOut`
    /// at `deadline` or on cancellation, `.closed` once the watch is closed.
    func wait(until deadline: ContinuousClock.Instant) async -> CallStatusWake {
        await wakeups.wait(until: deadline)
    }

    /// Makes the next wait return at once, e.g. to read the call again after subscribing.
    func signal() { wakeups.signal() }

    /// Ends the current and every later wait with `.closed` (graceful shutdown, or the connection closed).
    func close() { wakeups.close() }

    /// Gives the place in the hub back.
    func end() { hub.remove(wakeups, of: callID) }
}
