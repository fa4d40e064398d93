import Foundation

/// What the panel does with each event, by Asterisk's queue_log semantics.
public struct PanelRules: Sendable {
    public var calendar: PanelCalendar
    /// A call answered within this many seconds of waiting counts towards the service level.
    public var serviceLevelSeconds: Int

    public init(calendar: PanelCalendar, serviceLevelSeconds: Int = 20) {
        self.calendar = calendar
        self.serviceLevelSeconds = serviceLevelSeconds
    }
}

extension PanelState {
    public enum Outcome: Sendable, Equatable {
        case applied
        /// An event name the panel does not know: stored and counted, but it changes nothing.
        case unknownEvent
    }

    /// The queue name Asterisk writes for an event that concerns no queue (PAUSEALL, most AGENTLOGINs).
    public static let noQueue = "NONE"

    @discardableResult
    public mutating func apply(_ event: QueueEvent, rules: PanelRules) -> Outcome {
        switch event.name {
        case .addMember, .agentLogin:
            if event.queue != Self.noQueue { touchMember(of: event) }
            // A member added paused (AMI QueueAdd with Paused: true): Asterisk writes ADDMEMBER|PAUSED.
            if event.name == .addMember, event.queue != Self.noQueue, event.text(at: 0) == "PAUSED" {
                setPaused(true, key: memberKey(event), event: event, reason: nil)
            }
        case .removeMember:
            members[memberKey(event)] = nil
        case .agentLogoff:
            if event.queue == Self.noQueue {
                logOff(source: event.source, agent: event.agent)
            } else {
                members[memberKey(event)] = nil
            }
        case .pause, .unpause:
            let paused = event.name == .pause
            if event.queue == Self.noQueue {
                setPaused(paused, allQueuesOf: event)
            } else {
                touchMember(of: event)
                setPaused(paused, key: memberKey(event), event: event)
            }
        case .pauseAll, .unpauseAll:
            setPaused(event.name == .pauseAll, allQueuesOf: event)
        case .enterQueue:
            waiting[callKey(event)] = WaitingCaller(
                queue: event.queue, callerID: event.text(at: 1), position: event.seconds(at: 2), enteredAt: event.time,
                lastEventAt: event.time)
            count(event, rules) { $0.offered += 1 }
        case .ringNoAnswer:
            waiting[callKey(event)]?.lastEventAt = event.time
            if members[memberKey(event)] != nil { members[memberKey(event)]?.lastEventAt = event.time }
        case .connect:
            connect(event, rules: rules)
        case .completeAgent, .completeCaller:
            finishCall(event, talkSeconds: event.seconds(at: 1), rules: rules)
        case .transfer, .blindTransfer, .attendedTransfer:
            // Whatever the transfer's own fields, Asterisk ends it with hold time, talk time, original position.
            finishCall(event, talkSeconds: event.seconds(at: event.data.count - 2), rules: rules)
        case .abandon:
            waiting[callKey(event)] = nil
            count(event, rules) { $0.abandoned += 1 }
        case .exitWithTimeout, .exitWithKey, .exitEmpty:
            waiting[callKey(event)] = nil
            count(event, rules) { $0.timedOut += 1 }
        case .queueStart, .configReload:
            endEverything(ofSource: event.source)
        case .other:
            return .unknownEvent
        }
        return .applied
    }

    /// Ends every waiting caller and call of a PBX that restarted: none of them survived it.
    mutating func endEverything(ofSource source: String) {
        waiting = waiting.filter { $0.key.source != source }
        calls = calls.filter { $0.key.source != source }
        agentCalls = agentCalls.filter { $0.key.source != source }
    }

    private func memberKey(_ event: QueueEvent) -> MemberKey {
        MemberKey(source: event.source, queue: event.queue, agent: event.agent)
    }

    private func callKey(_ event: QueueEvent) -> CallKey {
        CallKey(source: event.source, callID: event.callID)
    }

    /// Only a member of a queue is paused in it or answers its calls, so such an event makes the agent a
    /// member even when its ADDMEMBER was lost.
    private mutating func touchMember(of event: QueueEvent) {
        let key = memberKey(event)
        if members[key] == nil {
            members[key] = Member(since: event.time, lastEventAt: event.time)
        } else {
            members[key]?.lastEventAt = event.time
        }
    }

    private mutating func setPaused(_ paused: Bool, key: MemberKey, event: QueueEvent) {
        setPaused(paused, key: key, event: event, reason: event.text(at: 0))
    }

    private mutating func setPaused(_ paused: Bool, key: MemberKey, event: QueueEvent, reason: String?) {
        guard var member = members[key] else { return }
        if member.paused != paused { member.since = event.time }
        member.paused = paused
        member.pauseReason = paused ? reason : nil
        member.lastEventAt = event.time
        members[key] = member
    }

    private mutating func setPaused(_ paused: Bool, allQueuesOf event: QueueEvent) {
        for key in members.keys where key.source == event.source && key.agent == event.agent {
            setPaused(paused, key: key, event: event)
        }
    }

    private mutating func logOff(source: String, agent: String) {
        members = members.filter { !($0.key.source == source && $0.key.agent == agent) }
        agentCalls[AgentKey(source: source, agent: agent)] = nil
    }

    private mutating func connect(_ event: QueueEvent, rules: PanelRules) {
        let hold = event.seconds(at: 0)
        waiting[callKey(event)] = nil
        calls[callKey(event)] = CallInProgress(
            queue: event.queue, agent: event.agent, connectedAt: event.time, holdSeconds: hold, lastEventAt: event.time)
        agentCalls[AgentKey(source: event.source, agent: event.agent)] = AgentCall(
            callID: event.callID, queue: event.queue, since: event.time)
        touchMember(of: event)
        count(event, rules) { counters in
            counters.answered += 1
            if let hold {
                counters.holdSecondsTotal += hold
                counters.holdCount += 1
                if hold <= rules.serviceLevelSeconds { counters.answeredWithinServiceLevel += 1 }
            }
        }
    }

    private mutating func finishCall(_ event: QueueEvent, talkSeconds: Int?, rules: PanelRules) {
        let key = callKey(event)
        let agent = calls[key]?.agent ?? event.agent
        calls[key] = nil
        let agentKey = AgentKey(source: event.source, agent: agent)
        if agentCalls[agentKey]?.callID == event.callID { agentCalls[agentKey] = nil }
        if members[memberKey(event)] != nil { members[memberKey(event)]?.lastEventAt = event.time }
        count(event, rules) { counters in
            if let talkSeconds {
                counters.talkSecondsTotal += talkSeconds
                counters.talkCount += 1
            }
        }
    }

    private mutating func count(_ event: QueueEvent, _ rules: PanelRules, _ change: (inout DayCounters) -> Void) {
        let key = CounterKey(queue: event.queue, day: rules.calendar.day(of: event.time))
        var counters = self.counters[key] ?? DayCounters()
        change(&counters)
        self.counters[key] = counters
    }
}
