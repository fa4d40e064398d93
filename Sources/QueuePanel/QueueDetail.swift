import Foundation

/// `GET /queues/{queue}`: its members with their status, its waiting callers, and today's counts.
public struct QueueDetail: Sendable, Equatable, Codable {
    public var queue: String
    public var members: [Member]
    public var waiting: [Caller]
    public var today: QueueStatus.TodayCounts

    public enum AgentState: String, Sendable, Codable {
        case available
        case paused
        case onCall = "on_call"
    }

    public struct CurrentCall: Sendable, Equatable, Codable {
        public var callId: String
        public var queue: String
        public var since: Date
    }

    public struct Member: Sendable, Equatable, Codable {
        public var source: String
        public var agent: String
        public var status: AgentState
        /// When the member's current status in this queue began (login, pause or unpause).
        public var since: Date
        public var pauseReason: String?
        public var currentCall: CurrentCall?

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(source, forKey: .source)
            try container.encode(agent, forKey: .agent)
            try container.encode(status, forKey: .status)
            try container.encode(since, forKey: .since)
            try container.encode(pauseReason, forKey: .pauseReason)
            try container.encode(currentCall, forKey: .currentCall)
        }
    }

    public struct Caller: Sendable, Equatable, Codable {
        public var source: String
        public var callId: String
        public var callerId: String?
        public var position: Int?
        public var enteredAt: Date
        public var waitSeconds: Int

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(source, forKey: .source)
            try container.encode(callId, forKey: .callId)
            try container.encode(callerId, forKey: .callerId)
            try container.encode(position, forKey: .position)
            try container.encode(enteredAt, forKey: .enteredAt)
            try container.encode(waitSeconds, forKey: .waitSeconds)
        }
    }
}

/// One agent of `GET /agents`: every queue it is logged in to, and its call.
public struct AgentDetail: Sendable, Equatable, Codable {
    public var source: String
    public var agent: String
    public var queues: [Membership]
    public var currentCall: QueueDetail.CurrentCall?

    public struct Membership: Sendable, Equatable, Codable {
        public var queue: String
        public var status: QueueDetail.AgentState
        public var since: Date
        public var pauseReason: String?

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(queue, forKey: .queue)
            try container.encode(status, forKey: .status)
            try container.encode(since, forKey: .since)
            try container.encode(pauseReason, forKey: .pauseReason)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(source, forKey: .source)
        try container.encode(agent, forKey: .agent)
        try container.encode(queues, forKey: .queues)
        try container.encode(currentCall, forKey: .currentCall)
    }
}

extension PanelState {
    func currentCall(of key: AgentKey) -> QueueDetail.CurrentCall? {
        agentCalls[key].map { .init(callId: $0.callID, queue: $0.queue, since: $0.since) }
    }

    func state(of key: MemberKey, _ member: Member) -> QueueDetail.AgentState {
        if member.paused { return .paused }
        return agentCalls[AgentKey(source: key.source, agent: key.agent)] != nil ? .onCall : .available
    }

    /// `queue` as `GET /queues/{queue}` shows it; nil when the state knows nothing of it.
    public func queueDetail(_ queue: String, now: Date, today: PanelDay) -> QueueDetail? {
        let members = members.filter { $0.key.queue == queue }.sorted { $0.key < $1.key }.map { key, member in
            QueueDetail.Member(
                source: key.source, agent: key.agent, status: state(of: key, member), since: member.since,
                pauseReason: member.pauseReason, currentCall: currentCall(of: AgentKey(source: key.source, agent: key.agent)))
        }
        let waiting = waiting.filter { $0.value.queue == queue }
            .sorted { ($0.value.enteredAt, $0.key.source, $0.key.callID) < ($1.value.enteredAt, $1.key.source, $1.key.callID) }
            .map { key, caller in
                QueueDetail.Caller(
                    source: key.source, callId: key.callID, callerId: caller.callerID, position: caller.position,
                    enteredAt: caller.enteredAt, waitSeconds: QueueStatus.WaitingCounts.wait(from: caller.enteredAt, to: now))
            }
        let counters = counters[CounterKey(queue: queue, day: today)]
        guard !members.isEmpty || !waiting.isEmpty || counters != nil else { return nil }
        return QueueDetail(queue: queue, members: members, waiting: waiting, today: .init(counters ?? DayCounters()))
    }

    /// Every agent logged in to a queue or on a call, by source and name.
    public func agentDetails() -> [AgentDetail] {
        var byAgent: [AgentKey: [AgentDetail.Membership]] = [:]
        for (key, member) in members.sorted(by: { $0.key < $1.key }) {
            byAgent[AgentKey(source: key.source, agent: key.agent), default: []].append(
                .init(queue: key.queue, status: state(of: key, member), since: member.since, pauseReason: member.pauseReason))
        }
        for key in agentCalls.keys where byAgent[key] == nil { byAgent[key] = [] }
        return byAgent.sorted { ($0.key.source, $0.key.agent) < ($1.key.source, $1.key.agent) }.map { key, queues in
            AgentDetail(source: key.source, agent: key.agent, queues: queues, currentCall: currentCall(of: key))
        }
    }
}
