import Activity
import CallsStore
import EventBus
import Foundation
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
    /// Events starting before the oldest month kept are applied by neither group: their partition is gone
    /// (or going), and so are the keys that would recognise a copy.
    var retentionMonths = 13
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
        let oldestKept = ActivityTimeWindow(now: Date(), retentionMonths: retentionMonths).earliest
        let expired = events.count { $0.startedAt < oldestKept }
        if expired > 0 {
            events.removeAll { $0.startedAt < oldestKept }
            logger.warning("activity events past retention skipped", metadata: ["events": "\(expired)", "group": "\(group.name)"])
        }
        var result: ActivityBatchResult
        do {
            result = try await write(events)
        } catch  where DatabaseErrors.isDataError(error) {
            result = try await writeOneByOne(events)
        }
        try await stream.acknowledge(group: group.name, ids: entries.map(\.id))
        let dimensions = [("group", group.name)]
        Counter(label: "calls_activity_events_total", dimensions: dimensions + [("outcome", "applied")]).increment(by: result.applied)
        Counter(label: "calls_activity_events_total", dimensions: dimensions + [("outcome", "duplicate")]).increment(by: result.duplicates)
        for (outcome, count) in [("unreadable", unreadable), ("expired", expired), ("refused", result.refused)] where count > 0 {
            Counter(label: "calls_activity_events_total", dimensions: dimensions + [("outcome", outcome)]).increment(by: count)
        }
    }

    func write(_ events: [ActivityEvent]) async throws -> ActivityBatchResult {
        switch group {
        case .ingest: try await store.store(events)
        case .aggregate: try await store.aggregate(events, stripe: partition)
        }
    }

    /// A batch the database refused as data: each event alone, so the one it refuses is set aside in
    /// `activity_refused` (with the reason, for an operator to look at) instead of stopping the partition for
    /// good. Any other failure still fails the batch, to be retried.
    func writeOneByOne(_ events: [ActivityEvent]) async throws -> ActivityBatchResult {
        var total = ActivityBatchResult()
        for event in events {
            do {
                let result = try await write([event])
                total.applied += result.applied
                total.duplicates += result.duplicates
            } catch  where DatabaseErrors.isDataError(error) {
                let reason = String(reflecting: error)
                logger.error(
                    "activity event refused by the database, set aside",
                    metadata: ["source_id": "\(event.sourceID)", "event_id": "\(event.eventID)", "error": "\(reason)"])
                try await store.setAside(event, group: group.name, reason: reason)
                total.refused += 1
            }
        }
        return total
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
