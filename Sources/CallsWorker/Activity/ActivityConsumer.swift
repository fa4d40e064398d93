import Activity
import CallsStore
import EventBus
import Logging
import Metrics

/// One consumer of one activity stream partition for one group: reads a batch, applies it in one PostgreSQL
/// transaction (which skips what the group applied before), then acknowledges it. Order does not matter to
/// either group (storing and adding up commute), so any number of consumers share a partition, and one
/// takes over what a dead one left pending once it has been idle for `claimAfter`.
struct ActivityConsumer: Sendable {
    let group: ActivityGroup
    let stream: EventStream
    let partition: Int
    let store: any ActivityWriteStore
    let consumer: String
    let batchSize: Int
    let claimAfter: Duration
    let logger: Logger

    /// One read, apply and acknowledge; the number of entries read.
    @discardableResult
    func step(_ phase: inout StreamConsumerPhase, block: Duration) async throws -> Int {
        let entries: [EventStream.Entry]
        switch phase.next {
        case .ownPending:
            entries = try await stream.readOwnPending(group: group.name, consumer: consumer, count: batchSize)
        case .claimIdle:
            entries = try await stream.claimIdle(group: group.name, consumer: consumer, minIdle: claimAfter, count: batchSize)
        case .new:
            entries = try await stream.readNew(group: group.name, consumer: consumer, count: batchSize, block: block)
        }
        if !entries.isEmpty { try await apply(entries) }
        phase.applied(entries: entries.count)
        return entries.count
    }

    func apply(_ entries: [EventStream.Entry]) async throws {
        var events: [ActivityEvent] = []
        events.reserveCapacity(entries.count)
        var unreadable = 0
        for entry in entries {
            if let payload = entry.payload, let event = ActivityEvent(payload: payload) {
                events.append(event)
            } else {
                // Only the API writes the streams, so this is a bug, not bad input: skipped, not retried for ever.
                unreadable += 1
                logger.error(
                    "unreadable entry on an activity stream, skipped", metadata: ["entry": "\(entry.id)", "stream": "\(stream.key)"])
            }
        }
        let result: ActivityBatchResult
        switch group {
        case .ingest: result = try await store.store(events)
        case .aggregate: result = try await store.aggregate(events, stripe: partition)
        }
        try await stream.acknowledge(group: group.name, ids: entries.map(\.id))
        let dimensions = [("group", group.name)]
        Counter(label: "calls_activity_events_total", dimensions: dimensions + [("outcome", "applied")]).increment(by: result.applied)
        Counter(label: "calls_activity_events_total", dimensions: dimensions + [("outcome", "duplicate")]).increment(by: result.duplicates)
        if unreadable > 0 {
            Counter(label: "calls_activity_events_total", dimensions: dimensions + [("outcome", "unreadable")]).increment(by: unreadable)
        }
    }
}

/// The two consumer groups of the activity streams.
enum ActivityGroup: Sendable, CaseIterable {
    /// Stores raw events (`activity_events`).
    case ingest
    /// Adds events to the day and month aggregates.
    case aggregate

    var name: String {
        switch self {
        case .ingest: ActivityStreamKeys.ingestGroup
        case .aggregate: ActivityStreamKeys.aggregateGroup
        }
    }
}
