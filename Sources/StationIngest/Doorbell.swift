import Synchronization

/// Wakes the finder's loop early: a directory changed, or a delivery ended. A ring while nobody waits is
/// kept for the next wait, so none is lost.
final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.rung = true
            return nil
        }
        waiter?.resume()
    }

    /// Whether a ring is waiting for the next `wait`.
    var isRinging: Bool { state.withLock { $0.rung } }

    /// Returns at a ring, after `timeout`, or when the task is cancelled. The timer rings only when it runs out,
    /// so a wait ended by a real ring leaves no stale ring behind for the next one.
    func wait(upTo timeout: Duration) async {
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        try await Task.sleep(for: timeout)
                        self.ring()
                    } catch {}
                }
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = state.withLock { state -> Bool in
                        if state.rung {
                            state.rung = false
                            return true
                        }
                        state.waiter = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
                group.cancelAll()
            }
        } onCancel: {
            ring()
        }
    }
}
