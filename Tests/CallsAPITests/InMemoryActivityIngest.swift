import Activity
@testable import CallsAPI
import EventBus
import Synchronization

/// The activity partition streams and the ingest consumer's stored keys, in memory: what
/// `POST /api/v1/events` published to which partition, and which keys count as stored before.
final class InMemoryActivityIngest: ActivityIngest, Sendable {
    private struct State {
        var streams: [Int: [ActivityEvent]] = [:]
        var stored: Set<ActivityEvent.Key> = []
        /// Entries a partition's stream may hold.
        var capacity: [Int: Int] = [:]
        var storeFails = false
        var streamFails = false
    }

    let partitions: Int
    private let state = Mutex(State())

    init(partitions: Int = 8) {
        self.partitions = partitions
    }

    /// Every partition's events, in the order they were appended.
    var streams: [Int: [ActivityEvent]] { state.withLock { $0.streams } }
    var published: [ActivityEvent] { streams.keys.sorted().flatMap { streams[$0]! } }

    /// Marks keys as stored, as the ingest consumer would.
    func store(_ keys: [ActivityEvent.Key]) { state.withLock { $0.stored.formUnion(keys) } }
    func setCapacity(_ capacity: Int, ofPartition partition: Int) { state.withLock { $0.capacity[partition] = capacity } }
    func setStoreFails(_ fails: Bool) { state.withLock { $0.storeFails = fails } }
    func setStreamFails(_ fails: Bool) { state.withLock { $0.streamFails = fails } }

    struct Unreachable: Error {}

    func stored(_ keys: [ActivityEvent.Key]) async throws -> Set<ActivityEvent.Key> {
        try state.withLock { state in
            if state.storeFails { throw Unreachable() }
            return Set(keys.filter(state.stored.contains))
        }
    }

    func append(_ events: [ActivityEvent], toPartition partition: Int) async throws {
        precondition((0..<partitions).contains(partition), "no partition \(partition)")
        try state.withLock { state in
            if state.streamFails { throw Unreachable() }
            let length = state.streams[partition, default: []].count
            guard length + events.count <= state.capacity[partition, default: .max] else {
                throw EventStream.BacklogFull(length: length)
            }
            state.streams[partition, default: []] += events
        }
    }
}
