import Activity
import CallsStore
import EventBus
import JobQueue

/// Where `POST /api/v1/events` puts what it accepts: K partition streams, ahead of the activity consumers.
public protocol ActivityIngest: Sendable {
    /// How many partition streams there are (events go to `ActivityPartitioner(partitions:)`'s).
    var partitions: Int { get }
    /// Of `keys`, those whose events the ingest consumer has already stored: a retried POST's.
    func stored(_ keys: [ActivityEvent.Key]) async throws -> Set<ActivityEvent.Key>
    /// Appends the events to partition `partition`'s stream in order, all or none; `EventStream.BacklogFull`
    /// when that stream is at its cap.
    func append(_ events: [ActivityEvent], toPartition partition: Int) async throws
}

/// The production ingest: a Redis stream per partition, PostgreSQL for what was stored before.
struct StreamActivityIngest: ActivityIngest {
    let redis: RedisClient
    let keys: ActivityStreamKeys
    let lookup: ActivityKeyLookup
    let maxBacklog: Int

    var partitions: Int { keys.partitions }

    func stored(_ keys: [ActivityEvent.Key]) async throws -> Set<ActivityEvent.Key> {
        try await lookup.ingested(keys)
    }

    func append(_ events: [ActivityEvent], toPartition partition: Int) async throws {
        _ = try await EventStream(redis: redis, key: keys.stream(partition)).append(events.map(\.payload), maxLength: maxBacklog)
    }
}
