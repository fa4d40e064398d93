import Foundation
import Synchronization

/// Fans status changes out to the requests waiting on them. Fed by `CallStatusListener` (PostgreSQL
/// LISTEN/NOTIFY), so a waiting request costs no database query until something happens to its call.
public final class CallStatusHub: Sendable {
    private let subscriptions = Mutex<[ObjectIdentifier: CallStatusSubscription]>([:])

    public init() {}

    /// Starts watching `callID`; changes after this call are never missed, so subscribe first, then read the
    /// call. End with `unsubscribe`.
    func subscribe(to callID: UUID) -> CallStatusSubscription {
        let subscription = CallStatusSubscription(callID: callID)
        subscriptions.withLock { $0[ObjectIdentifier(subscription)] = subscription }
        return subscription
    }

    func unsubscribe(_ subscription: CallStatusSubscription) {
        _ = subscriptions.withLock { $0.removeValue(forKey: ObjectIdentifier(subscription)) }
    }

    /// A notification's payload: `<call-id>:<status>`.
    func publish(payload: String) {
        guard let id = payload.split(separator: ":").first.flatMap({ UUID(uuidString: String($0)) }) else { return }
        let matching = subscriptions.withLock { $0.values.filter { $0.callID == id } }
        for subscription in matching { subscription.signal() }
    }

    /// Wakes everyone: after the listener lost its connection, any call may have changed unseen.
    func publishToAll() {
        for subscription in subscriptions.withLock({ Array($0.values) }) { subscription.signal() }
    }

    var subscriberCount: Int { subscriptions.withLock { $0.count } }
}

/// One waiter's view of one call: signals are remembered until waited for, so none falls between two waits.
final class CallStatusSubscription: Sendable {
    let callID: UUID

    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Bool, Never>?
        var round = 0
        var expiredRound = -1
    }

    private let state = Mutex(State())

    init(callID: UUID) {
        self.callID = callID
    }

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: true)
    }

    /// True once signalled (at once if a signal is pending), false when `deadline` passes or the task is
    /// cancelled first.
    func wait(until deadline: ContinuousClock.Instant) async -> Bool {
        let round = state.withLock { state -> Int? in
            if state.pending {
                state.pending = false
                return nil
            }
            state.round += 1
            return state.round
        }
        guard let round else { return true }
        let timer = Task { [weak self] in
            try? await Task.sleep(until: deadline)
            self?.expire(round)
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let immediate = state.withLock { state -> Bool? in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    if state.expiredRound == round { return false }
                    state.waiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            expire(round)
        }
    }

    private func expire(_ round: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard state.round == round else { return nil }
            state.expiredRound = round
            let waiter = state.waiter
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: false)
    }
}
