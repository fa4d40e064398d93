@testable import CallsAPI
import EventBus
import QueuePanel
import Synchronization

/// The telephony stream and the panel's stored events, in memory: what `POST /events` published, and which
/// keys count as applied before.
final class InMemoryTelephonyIngest: TelephonyIngest, Sendable {
    private struct State {
        var published: [QueueEvent] = []
        var stored: Set<QueueEvent.Key> = []
        var capacity = Int.max
        var storeFails = false
        var streamFails = false
    }

    private let state = Mutex(State())

    var published: [QueueEvent] { state.withLock { $0.published } }

    /// Marks what was published as applied, as the panel's consumer would.
    func applyPublished() {
        state.withLock { $0.stored.formUnion($0.published.map(\.key)) }
    }

    func setCapacity(_ capacity: Int) { state.withLock { $0.capacity = capacity } }
    func setStoreFails(_ fails: Bool) { state.withLock { $0.storeFails = fails } }
    func setStreamFails(_ fails: Bool) { state.withLock { $0.streamFails = fails } }

    struct Unreachable: Error {}

    func stored(_ keys: [QueueEvent.Key]) async throws -> Set<QueueEvent.Key> {
        try state.withLock { state in
            if state.storeFails { throw Unreachable() }
            return Set(keys.filter(state.stored.contains))
        }
    }

    func publish(_ events: [QueueEvent]) async throws {
        try state.withLock { state in
            if state.streamFails { throw Unreachable() }
            guard state.published.count + events.count <= state.capacity else {
                throw EventStream.BacklogFull(length: state.published.count)
            }
            state.published += events
        }
    }
}
