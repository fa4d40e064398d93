import Foundation
import Synchronization

/// Fans status changes out to the requests waiting on them. Fed by `CallStatusListener` (PostgreSQL
/// LISTEN/NOTIFY), so a waiting request costs no database query until something happens to its call.
///
/// Waiters are indexed by call, so a notification touches only its own call's waiters, and they are capped per
/// call and in all: each one holds a connection open.
public final class CallStatusHub: Sendable {
    /// How many long polls and event streams may wait at once.
    public struct Limits: Sendable, Equatable {
        public var perCall: Int
        public var total: Int

        public init(perCall: Int = 100, total: Int = 10_000) {
            self.perCall = perCall
            self.total = total
        }
    }

    /// Why `subscribe` refused.
    enum Refusal: Error, Equatable {
        case callFull(limit: Int)
        case hubFull(limit: Int)
    }

    private struct Index {
        var byCall: [UUID: [ObjectIdentifier: CallStatusSignal]] = [:]
        var count = 0
    }

    let limits: Limits
    private let index = Mutex(Index())

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Starts watching `callID`; changes after this call are never missed, so subscribe first, then read the
    /// call. The watch ends when the subscription is ended or dropped, whichever comes first.
    func subscribe(to callID: UUID) throws(Refusal) -> CallStatusSubscription {
        let signal = CallStatusSignal()
        let limits = self.limits
        try index.withLock { index throws(Refusal) in
            guard index.count < limits.total else { throw .hubFull(limit: limits.total) }
            var watchers = index.byCall[callID, default: [:]]
            guard watchers.count < limits.perCall else { throw .callFull(limit: limits.perCall) }
            watchers[ObjectIdentifier(signal)] = signal
            index.byCall[callID] = watchers
            index.count += 1
        }
        return CallStatusSubscription(callID: callID, wakeups: signal, hub: self)
    }

    /// Idempotent: a subscription is ended explicitly and again when it is dropped.
    func remove(_ signal: CallStatusSignal, of callID: UUID) {
        index.withLock { index in
            guard var watchers = index.byCall[callID], watchers.removeValue(forKey: ObjectIdentifier(signal)) != nil else { return }
            index.byCall[callID] = watchers.isEmpty ? nil : watchers
            index.count -= 1
        }
    }

    /// A notification's payload: `<call-id>:<status>`.
    func publish(payload: String) {
        guard let id = payload.split(separator: ":").first.flatMap({ UUID(uuidString: String($0)) }) else { return }
        let watchers = index.withLock { $0.byCall[id].map { Array($0.values) } ?? [] }
        for signal in watchers { signal.signal() }
    }

    /// Wakes everyone: after the listener lost its connection, any call may have changed unseen.
    func publishToAll() {
        let everyone = index.withLock { $0.byCall.values.flatMap(\.values) }
        for signal in everyone { signal.signal() }
    }

    var subscriberCount: Int { index.withLock { $0.count } }

    /// Calls with at least one waiter (the index keeps no empty entries).
    var watchedCallCount: Int { index.withLock { $0.byCall.count } }
}
