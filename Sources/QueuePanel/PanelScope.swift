import Foundation

/// The part of the state a batch of events can read or change, so a store loads only that: every
/// membership and current call of the agents named (PAUSEALL and AGENTLOGOFF reach all of an agent's
/// queues), the waiting callers and calls named, the day counters the events count in, and everything of
/// a PBX that restarted.
public struct PanelScope: Sendable, Equatable {
    public var agents: Set<PanelState.AgentKey> = []
    public var calls: Set<PanelState.CallKey> = []
    public var counters: Set<PanelState.CounterKey> = []
    public var restartedSources: Set<String> = []

    /// Only day counters: what a reader of one queue's counts loads.
    public init(counters: Set<PanelState.CounterKey>) {
        self.counters = counters
    }

    public init(events: [QueueEvent], rules: PanelRules) {
        for event in events {
            agents.insert(PanelState.AgentKey(source: event.source, agent: event.agent))
            calls.insert(PanelState.CallKey(source: event.source, callID: event.callID))
            counters.insert(PanelState.CounterKey(queue: event.queue, day: rules.calendar.day(of: event.time)))
            if event.name == .queueStart || event.name == .configReload { restartedSources.insert(event.source) }
        }
    }
}
