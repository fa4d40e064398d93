import Foundation
import QueuePanel
import QueueTraffic

/// Generated lines read back the way the API reads them (`QueueLogParser`, each PBX's byte offsets) and
/// applied to a `PanelState` by its pure rules; then the views the issue defines, computed from that state
/// the way the API must compute them from its tables.
struct PanelReplay {
    let rules: PanelRules
    var state = PanelState()
    var offsets: [String: Int64] = [:]
    var rejections: [String] = []
    var unknownEvents = 0

    init(timeZone: TimeZone, serviceLevelSeconds: Int) {
        rules = PanelRules(calendar: PanelCalendar(timeZone: timeZone), serviceLevelSeconds: serviceLevelSeconds)
    }

    mutating func apply(_ lines: [TrafficLine]) {
        for line in lines { _ = apply(line) }
    }

    /// The line's event, after applying it.
    @discardableResult
    mutating func apply(_ line: TrafficLine) -> QueueEvent? {
        let bytes = Array((line.text + "\n").utf8)
        let offset = offsets[line.source, default: 0]
        offsets[line.source] = offset + Int64(bytes.count)
        let parsed = QueueLogParser.parse(bytes, source: line.source, firstOffset: offset)
        rejections += parsed.rejections.map { "\(line.text): \($0.reason)" }
        guard let event = parsed.events.first else { return nil }
        if state.apply(event, rules: rules) == .unknownEvent { unknownEvents += 1 }
        return event
    }

    /// A member's status by the definitions.
    func status(of key: PanelState.MemberKey) -> MemberStatus? {
        guard let member = state.members[key] else { return nil }
        if member.paused { return .paused }
        return state.agentCalls[.init(source: key.source, agent: key.agent)] == nil ? .available : .onCall
    }

    /// `/queues/status`'s `queues` for these queue names at `now`.
    func queueStatus(queues names: [String], now: Date) -> [ExpectedQueueStatus] {
        let today = rules.calendar.day(of: now)
        var statuses: [String: ExpectedQueueStatus] = [:]
        for name in names {
            let counters = state.counters[.init(queue: name, day: today)] ?? PanelState.DayCounters()
            statuses[name] = ExpectedQueueStatus(queue: name, agents: .init(), calls: .init(), today: .init(Self.tally(counters)))
        }
        for key in state.members.keys {
            if let status = status(of: key) { statuses[key.queue]?.agents.add(status) }
        }
        for caller in state.waiting.values {
            let wait = max(0, Int(now.timeIntervalSince(caller.enteredAt).rounded(.down)))
            guard var calls = statuses[caller.queue]?.calls else { continue }
            calls.waiting += 1
            calls.longestWaitSeconds = max(calls.longestWaitSeconds ?? wait, wait)
            statuses[caller.queue]?.calls = calls
        }
        return names.compactMap { statuses[$0] }
    }

    /// Every agent with a membership or a call, as `AgentTruth` (memberships' `since` as the state keeps it).
    func agents() -> [AgentTruth] {
        var byAgent: [PanelState.AgentKey: [AgentTruth.Membership]] = [:]
        for (key, member) in state.members {
            let membership = AgentTruth.Membership(
                queue: key.queue, status: status(of: key)!, since: member.since, pauseReason: member.pauseReason)
            byAgent[.init(source: key.source, agent: key.agent), default: []].append(membership)
        }
        for key in state.agentCalls.keys where byAgent[key] == nil { byAgent[key] = [] }
        return byAgent.map { key, memberships in
            let call = state.agentCalls[key].map { AgentTruth.Call(callID: $0.callID, queue: $0.queue, since: $0.since) }
            return AgentTruth(
                source: key.source, agent: key.agent, memberships: memberships.sorted { $0.queue < $1.queue }, call: call)
        }
        .sorted { ($0.source, $0.agent) < ($1.source, $1.agent) }
    }

    /// Every day's counters, by queue and day.
    func tallies() -> [TrafficTruth.DayTally] {
        state.counters.map { TrafficTruth.DayTally(queue: $0.key.queue, day: $0.key.day.description, tally: Self.tally($0.value)) }
            .sorted { ($0.queue, $0.day) < ($1.queue, $1.day) }
    }

    static func tally(_ counters: PanelState.DayCounters) -> QueueDayTally {
        QueueDayTally(
            offered: counters.offered, answered: counters.answered, abandoned: counters.abandoned, timedOut: counters.timedOut,
            answeredWithinServiceLevel: counters.answeredWithinServiceLevel, holdSecondsTotal: counters.holdSecondsTotal,
            holdCount: counters.holdCount, talkSecondsTotal: counters.talkSecondsTotal, talkCount: counters.talkCount)
    }
}
