import EventBus
import Foundation
import Logging
import QueuePanel

/// Applies the telephony stream to the queue panel as one consumer of the `panel` group: reads a batch,
/// applies it in one PostgreSQL transaction (which skips events applied before), then acknowledges it. An
/// entry is acknowledged only after its effects are committed, so a crash at any point loses nothing and a
/// redelivery changes nothing. Events of one call must apply in order, so one consumer of the group reads at
/// a time: the next one first takes over what the last one left unacknowledged (see `StreamConsumerPhase`).
/// Not yet run by the worker: electing that one consumer among worker processes comes with its role.
public struct PanelConsumer: Sendable {
    public static let group = "panel"

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

    /// Reads and applies until the task is cancelled; a failed batch is retried after a backoff.
    public func run(block: Duration = .seconds(1)) async {
        var phase = StreamConsumerPhase()
        var backoff = Backoff()
        var groupReady = false
        while !Task.isCancelled {
            do {
                if !groupReady {
                    try await stream.createGroup(Self.group)
                    groupReady = true
                }
                let entries = try await step(&phase, block: block)
                backoff.reset()
                if entries == 0, phase.next != .new { continue }
            } catch {
                phase.failed()
                let delay = backoff.next()
                logger.warning("panel batch not applied, retrying", metadata: ["error": "\(error)", "retry_in": "\(delay)"])
                try? await Task.sleep(for: delay)
            }
        }
    }

    /// One read, apply and acknowledge; the number of entries read.
    @discardableResult
    func step(_ phase: inout StreamConsumerPhase, block: Duration) async throws -> Int {
        let entries: [EventStream.Entry]
        switch phase.next {
        case .ownPending:
            entries = try await stream.readOwnPending(group: Self.group, consumer: consumer, count: batchSize)
        case .claimIdle:
            entries = try await stream.claimIdle(group: Self.group, consumer: consumer, minIdle: claimAfter, count: batchSize)
        case .new:
            entries = try await stream.readNew(group: Self.group, consumer: consumer, count: batchSize, block: block)
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
            let result = try await store.apply(events, rules: rules)
            try await stream.acknowledge(group: Self.group, ids: entries.map(\.id))
            logger.debug(
                "panel batch applied",
                metadata: ["applied": "\(result.applied)", "duplicates": "\(result.duplicates)", "unknown": "\(result.unknown)"])
        }
        phase.applied(entries: entries.count)
        return entries.count
    }
}
