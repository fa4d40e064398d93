import Foundation

/// How long state may go without an event before the panel takes it for a ghost of lost events. Generous by
/// default: a caller waiting an hour or a call lasting four is rare but real, and ending one wrongly is worse
/// than showing it a while longer. Idle and paused agents are never swept: a quiet agent is normal.
public struct GhostLimits: Sendable, Equatable {
    public var waitingSeconds: Int
    public var callSeconds: Int

    public init(waitingSeconds: Int = 3600, callSeconds: Int = 4 * 3600) {
        self.waitingSeconds = waitingSeconds
        self.callSeconds = callSeconds
    }
}

extension PanelState {
    /// One piece of state the sweep ended, for the log and `/metrics`.
    public enum GhostReset: Sendable, Equatable {
        case waitingCaller(CallKey, queue: String)
        case call(CallKey, queue: String)
        case agentOnCall(AgentKey, callID: String)

        public var kind: String {
            switch self {
            case .waitingCaller: "waiting_caller"
            case .call: "call"
            case .agentOnCall: "agent_on_call"
            }
        }
    }

    /// Ends waiting callers and calls with no event for longer than the limits, and agents held "on call"
    /// past the call limit (their call's end was lost).
    public mutating func sweepGhosts(now: Date, limits: GhostLimits) -> [GhostReset] {
        var resets: [GhostReset] = []
        let waitingCutoff = now.addingTimeInterval(-Double(limits.waitingSeconds))
        let callCutoff = now.addingTimeInterval(-Double(limits.callSeconds))
        for (key, caller) in waiting where caller.lastEventAt < waitingCutoff {
            waiting[key] = nil
            resets.append(.waitingCaller(key, queue: caller.queue))
        }
        for (key, call) in calls where call.lastEventAt < callCutoff {
            calls[key] = nil
            resets.append(.call(key, queue: call.queue))
        }
        for (key, call) in agentCalls where call.since < callCutoff {
            agentCalls[key] = nil
            resets.append(.agentOnCall(key, callID: call.callID))
        }
        return resets
    }
}
