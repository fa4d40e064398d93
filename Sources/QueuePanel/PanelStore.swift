import Foundation

/// Where the panel's state lives: applies batches of events, each event once, and reads the state back.
public protocol PanelStore: Sendable {
    /// Applies the events not applied before, in order, all or none; with a `fence`, only while it is the
    /// newest taken (else `PanelFenced`).
    func apply(_ events: [QueueEvent], rules: PanelRules, fence: Int64?) async throws -> PanelBatchResult
    /// The whole state.
    func state() async throws -> PanelState
    /// A token newer than every one taken before: from now on only batches under it commit.
    func takeFence() async throws -> Int64
    /// Ends what `PanelState.sweepGhosts` would end, in place (under `fence` like `apply`).
    func sweepGhosts(now: Date, limits: GhostLimits, fence: Int64?) async throws -> [PanelState.GhostReset]
    /// Forgets received events applied before `cutoff`, at most `limit` of them; how many went.
    func forgetEvents(appliedBefore cutoff: Date, limit: Int) async throws -> Int
}

extension PanelStore {
    public func apply(_ events: [QueueEvent], rules: PanelRules) async throws -> PanelBatchResult {
        try await apply(events, rules: rules, fence: nil)
    }
}

/// A newer applier took over: this one's batch was not committed.
public struct PanelFenced: Error, Equatable {
    public var fence: Int64

    public init(fence: Int64) {
        self.fence = fence
    }
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
