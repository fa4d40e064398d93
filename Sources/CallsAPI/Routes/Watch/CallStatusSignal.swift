import Synchronization

/// How a wait on a `CallStatusSignal` ended.
enum CallStatusWake: Sendable, Equatable {
    /// The call may have changed: read it again.
    case signalled
    /// The deadline passed (or the waiting task was cancelled) with no change.
    case timedOut
    /// The watch is over (graceful shutdown, or the client went away): stop waiting, now and for good.
    case closed
}

/// One waiter's wake-up line for one call: signals are remembered until waited for, so none falls between two
/// waits; once closed, every wait returns at once.
final class CallStatusSignal: Sendable {
    private struct State {
        var pending = false
        var closed = false
        var waiter: CheckedContinuation<CallStatusWake, Never>?
        var round = 0
        var expiredRound = -1
    }

    private let state = Mutex(State())

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<CallStatusWake, Never>? in
            guard !state.closed else { return nil }
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: .signalled)
    }

    /// Ends the current wait and every later one with `.closed`.
    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<CallStatusWake, Never>? in
            state.closed = true
            let waiter = state.waiter
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: .closed)
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// `.closed` once closed, `.signalled` at once if a signal is pending or when one comes, `.timedOut` when
    /// `deadline` passes or the task is cancelled first.
    func wait(until deadline: ContinuousClock.Instant) async -> CallStatusWake {
        let start = state.withLock { state -> Start in
            if state.closed { return .answered(.closed) }
            if state.pending {
                state.pending = false
                return .answered(.signalled)
            }
            state.round += 1
            return .waiting(round: state.round)
        }
        let round: Int
        switch start {
        case .answered(let wake): return wake
        case .waiting(let waitingRound): round = waitingRound
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(until: deadline)
            self?.expire(round)
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let immediate = state.withLock { state -> CallStatusWake? in
                    if state.closed { return .closed }
                    if state.pending {
                        state.pending = false
                        return .signalled
                    }
                    if state.expiredRound == round { return .timedOut }
                    state.waiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            expire(round)
        }
    }

    private enum Start {
        case answered(CallStatusWake)
        case waiting(round: Int)
    }

    private func expire(_ round: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<CallStatusWake, Never>? in
            guard state.round == round else { return nil }
            state.expiredRound = round
            let waiter = state.waiter
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: .timedOut)
    }
}
