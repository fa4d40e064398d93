import CallsStore
import EventBus
import Logging
import QueuePanel

/// Where `POST /events` puts what it accepts: the telephony stream, ahead of the panel's consumer.
public protocol TelephonyIngest: Sendable {
    /// Of `keys`, those whose events are already stored (applied by the consumer): a retried POST's.
    func stored(_ keys: [QueueEvent.Key]) async throws -> Set<QueueEvent.Key>
    /// Appends the events to the stream in order, all or none; `EventStream.BacklogFull` past the cap.
    func publish(_ events: [QueueEvent]) async throws
}

/// The production ingest: Redis stream, PostgreSQL for what was applied before.
struct StreamTelephonyIngest: TelephonyIngest {
    let stream: EventStream
    let store: PostgresPanelStore
    let maxBacklog: Int

    func stored(_ keys: [QueueEvent.Key]) async throws -> Set<QueueEvent.Key> {
        try await store.storedKeys(keys)
    }

    func publish(_ events: [QueueEvent]) async throws {
        _ = try await stream.append(events.map(\.payload), maxLength: maxBacklog)
    }
}
