import CallsStore
import EventBus
import Foundation
import Logging
import Metrics
import QueuePanel

/// Applies the telephony stream to the queue panel as one consumer of the `panel` group: reads a batch,
/// applies it in one PostgreSQL transaction (which skips events applied before), then acknowledges it. An
/// entry is acknowledged only after its effects are committed, so a crash at any point loses nothing and a
/// redelivery changes nothing. Events of one call must apply in order, so one consumer of the group reads at
/// a time (`PanelRole` elects it): the next one first takes over what the last one left unacknowledged (see
/// `StreamConsumerPhase`).
public struct PanelConsumer: Sendable {
    public static let group = TelephonyStreamKeys.panelGroup

    let stream: EventStream
    let store: any PanelStore
    let rules: PanelRules
    let consumer: String
    let batchSize: Int
    /// How long another consumer's unacknowledged entry waits before this one takes it over.
    let claimAfter: Duration
    let logger: Logger

    public init(
        stream: EventStream, store: any PanelStore, rules: PanelRules, consumer: String, batchSize: Int = 1000,
        claimAfter: Duration = .seconds(30), logger: Logger
    ) {
        self.stream = stream
        self.store = store
        self.rules = rules
        self.consumer = consumer
        self.batchSize = batchSize
        self.claimAfter = claimAfter
        self.logger = logger
    }

    /// One read, apply and acknowledge; the number of entries read.
    @discardableResult
    func step(_ phase: inout StreamConsumerPhase, block: Duration, fence: Int64? = nil) async throws -> Int {
        let entries: [EventStream.Entry]
        switch phase.next {
        case .ownPending:
            entries = try await stream.readOwnPending(group: Self.group, consumer: consumer, count: batchSize)
        case .claimIdle:
            entries = try await stream.claimIdle(group: Self.group, consumer: consumer, minIdle: claimAfter, count: batchSize)
        case .new:
            // Anything pending now is another consumer's: a replaced holder that read after the takeover. Its
            // entries come before newer ones, or a call's events would apply out of order.
            let others = try await stream.pendingCount(group: Self.group) > 0
            let claimed =
                others ? try await stream.claimIdle(group: Self.group, consumer: consumer, minIdle: claimAfter, count: batchSize) : []
            entries =
                claimed.isEmpty
                ? try await claimingEarlier(
                    than: try await stream.readNew(group: Self.group, consumer: consumer, count: batchSize, block: block))
                : claimed
        }
        if !entries.isEmpty {
            var events: [QueueEvent] = []
            for entry in entries {
                if let payload = entry.payload, let event = QueueEvent(payload: payload) {
                    events.append(event)
                } else {
                    // Only this service writes the stream, so this is a bug, not bad input: kept out of the
                    // panel, not retried for ever.
                    logger.error("unreadable entry on the telephony stream, skipped", metadata: ["entry": "\(entry.id)"])
                }
            }
            let result: PanelBatchResult
            do {
                result = try await store.apply(events, rules: rules, fence: fence)
            } catch  where DatabaseErrors.isDataError(error) {
                result = try await applyOneByOne(events, fence: fence)
            }
            try await stream.acknowledge(group: Self.group, ids: entries.map(\.id))
            Counter(label: "calls_panel_events_total", dimensions: [("outcome", "applied")]).increment(by: result.applied)
            Counter(label: "calls_panel_events_total", dimensions: [("outcome", "duplicate")]).increment(by: result.duplicates)
            Counter(label: "calls_panel_events_total", dimensions: [("outcome", "unknown")]).increment(by: result.unknown)
            logger.debug(
                "panel batch applied",
                metadata: ["applied": "\(result.applied)", "duplicates": "\(result.duplicates)", "unknown": "\(result.unknown)"])
        }
        phase.applied(entries: entries.count)
        return entries.count
    }

    /// `read` with, before it, whatever another consumer read earlier and still holds: a replaced holder whose
    /// read raced this one's check above. Redis delivers in id order, so such entries are older than `read`.
    func claimingEarlier(than read: [EventStream.Entry]) async throws -> [EventStream.Entry] {
        guard let first = read.first, claimAfter == .zero else { return read }
        let earlier = try await stream.pendingOfOthers(group: Self.group, before: first.id, consumer: consumer, count: batchSize)
        guard !earlier.isEmpty else { return read }
        return try await stream.claim(group: Self.group, consumer: consumer, ids: earlier) + read
    }

    /// A batch the database refused: each event alone, so the one it refuses is skipped (logged and counted)
    /// instead of stopping the stream for good. Any other failure still fails the batch, to be retried.
    func applyOneByOne(_ events: [QueueEvent], fence: Int64?) async throws -> PanelBatchResult {
        var total = PanelBatchResult()
        for event in events {
            do {
                let result = try await store.apply([event], rules: rules, fence: fence)
                total.applied += result.applied
                total.duplicates += result.duplicates
                total.unknown += result.unknown
            } catch  where DatabaseErrors.isDataError(error) {
                logger.error(
                    "telephony event refused by the database, skipped",
                    metadata: ["source": "\(event.source)", "event_id": "\(event.id)", "error": "\(String(reflecting: error))"])
                Counter(label: "calls_panel_events_total", dimensions: [("outcome", "refused")]).increment()
            }
        }
        return total
    }
}
