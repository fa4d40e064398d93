import Foundation

/// What applying a batch changed, row by row: a store writes exactly this.
public struct PanelChanges: Sendable, Equatable {
    public var upsertedMembers: [PanelState.MemberKey: PanelState.Member] = [:]
    public var removedMembers: [PanelState.MemberKey] = []
    public var upsertedAgentCalls: [PanelState.AgentKey: PanelState.AgentCall] = [:]
    public var removedAgentCalls: [PanelState.AgentKey] = []
    public var upsertedWaiting: [PanelState.CallKey: PanelState.WaitingCaller] = [:]
    public var removedWaiting: [PanelState.CallKey] = []
    public var upsertedCalls: [PanelState.CallKey: PanelState.CallInProgress] = [:]
    public var removedCalls: [PanelState.CallKey] = []
    public var upsertedCounters: [PanelState.CounterKey: PanelState.DayCounters] = [:]

    public init(from before: PanelState, to after: PanelState) {
        (upsertedMembers, removedMembers) = Self.diff(before.members, after.members)
        (upsertedAgentCalls, removedAgentCalls) = Self.diff(before.agentCalls, after.agentCalls)
        (upsertedWaiting, removedWaiting) = Self.diff(before.waiting, after.waiting)
        (upsertedCalls, removedCalls) = Self.diff(before.calls, after.calls)
        (upsertedCounters, _) = Self.diff(before.counters, after.counters)
    }

    public var isEmpty: Bool { self == PanelChanges(from: PanelState(), to: PanelState()) }

    private static func diff<Key: Hashable, Value: Equatable>(
        _ before: [Key: Value], _ after: [Key: Value]
    ) -> (
        [Key: Value], [Key]
    ) {
        let upserted = after.filter { before[$0.key] != $0.value }
        let removed = before.keys.filter { after[$0] == nil }
        return (upserted, removed)
    }
}
