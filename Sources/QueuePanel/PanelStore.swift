import Foundation

/// Where the panel's state lives: applies batches of events, each event once, and reads the state back.
public protocol PanelStore: Sendable {
    /// Applies the events not applied before, in order, all or none.
    func apply(_ events: [QueueEvent], rules: PanelRules) async throws -> PanelBatchResult
    /// The whole state.
    func state() async throws -> PanelState
}

public struct PanelBatchResult: Sendable, Equatable {
    public var applied: Int
    /// Events applied before (a redelivery or a retried POST): skipped.
    public var duplicates: Int
    /// Applied events whose name the panel does not know.
    public var unknown: Int

    public init(applied: Int = 0, duplicates: Int = 0, unknown: Int = 0) {
        self.applied = applied
        self.duplicates = duplicates
        self.unknown = unknown
    }
}
