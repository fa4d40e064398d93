import Activity

/// What one batch did: events applied now, and events applied before (a redelivery, or a provider's copy).
public struct ActivityBatchResult: Sendable, Equatable {
    public var applied: Int
    public var duplicates: Int
    /// Refused by the database as data, and set aside.
    public var refused = 0

    public init(applied: Int = 0, duplicates: Int = 0) {
        self.applied = applied
        self.duplicates = duplicates
    }
}

/// Where the two activity consumer groups apply their batches. Each call is one transaction that records the
/// keys of the events it applies with their effects, so applying a batch again changes nothing.
public protocol ActivityWriteStore: Sendable {
    /// The ingestor's: stores the raw events not stored before.
    func store(_ events: [ActivityEvent]) async throws -> ActivityBatchResult
    /// The aggregator's: adds the events not added before to the per-user and global day and month cells;
    /// the global cells of stream partition `stripe`.
    func aggregate(_ events: [ActivityEvent], stripe: Int) async throws -> ActivityBatchResult
    /// Keeps an event the database refused for `group` (its payload and the reason) where an operator finds it.
    func setAside(_ event: ActivityEvent, group: String, reason: String) async throws
}
