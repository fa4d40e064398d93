import Foundation
import QueuePanel
import Testing

/// The panel's semantics, event by event, on hand-written queue logs.
@Suite struct PanelStateTests {
    static let start = 1_700_000_000  // 2023-11-14 22:13:20 UTC
    let rules = PanelRules(calendar: PanelCalendar(timeZone: TimeZone(identifier: "UTC")!), serviceLevelSeconds: 20)

    /// `seconds` after `start`, as a queue_log line from pbx1.
    func state(_ lines: [String], source: String = "pbx1") -> PanelState {
        var state = PanelState()
        let text = lines.map { $0 + "\n" }.joined()
        let (events, rejections) = QueueLogParser.parse(Array(text.utf8), source: source, firstOffset: 0)
        #expect(rejections.isEmpty, "\(rejections)")
        for event in events { state.apply(event, rules: rules) }
        return state
    }

    func line(_ seconds: Int, _ call: String, _ queue: String, _ agent: String, _ event: String, _ data: String...) -> String {
        ([String(Self.start + seconds), call, queue, agent, event] + data).joined(separator: "|")
    }

    func time(_ seconds: Int) -> Date { Date(timeIntervalSince1970: Double(Self.start + seconds)) }

    func member(_ queue: String, _ agent: String, source: String = "pbx1") -> PanelState.MemberKey {
        .init(source: source, queue: queue, agent: agent)
    }

    func call(_ id: String) -> PanelState.CallKey { .init(source: "pbx1", callID: id) }

    var today: PanelDay { rules.calendar.day(of: time(0)) }

    @Test func membersJoinPauseWithAReasonUnpauseAndLeave() {
        var lines = [
            line(0, "NONE", "support", "SIP/1", "ADDMEMBER"),
            line(5, "NONE", "sales", "SIP/1", "ADDMEMBER"),
            line(10, "NONE", "support", "SIP/1", "PAUSE", "lunch"),
        ]
        var panel = state(lines)
        #expect(
            panel.members[member("support", "SIP/1")] == .init(since: time(10), paused: true, pauseReason: "lunch", lastEventAt: time(10)))
        #expect(panel.members[member("sales", "SIP/1")]?.paused == false)

        lines.append(line(20, "NONE", "support", "SIP/1", "UNPAUSE", "lunch"))
        panel = state(lines)
        #expect(panel.members[member("support", "SIP/1")] == .init(since: time(20), lastEventAt: time(20)))

        lines.append(line(30, "NONE", "support", "SIP/1", "REMOVEMEMBER"))
        panel = state(lines)
        #expect(panel.members.keys.sorted() == [member("sales", "SIP/1")])
    }

    /// Asterisk writes `ADDMEMBER|PAUSED` for a member added paused (AMI QueueAdd with `Paused: true`): a
    /// paused member without a reason, not an available one.
    @Test func aMemberAddedPausedIsPausedWithoutAReason() {
        let panel = state([
            line(0, "NONE", "support", "SIP/1", "ADDMEMBER", "PAUSED"),
            line(5, "NONE", "sales", "SIP/1", "ADDMEMBER", ""),
        ])
        #expect(panel.members[member("support", "SIP/1")] == .init(since: time(0), paused: true, lastEventAt: time(0)))
        #expect(panel.members[member("sales", "SIP/1")] == .init(since: time(5), lastEventAt: time(5)))

        let resumed = state([
            line(0, "NONE", "support", "SIP/1", "ADDMEMBER", "PAUSED"),
            line(30, "NONE", "support", "SIP/1", "UNPAUSE", ""),
        ])
        #expect(resumed.members[member("support", "SIP/1")] == .init(since: time(30), lastEventAt: time(30)))
    }

    @Test func pauseAllAndUnpauseAllConcernEveryQueueOfTheAgentOnly() {
        let panel = state([
            line(0, "NONE", "support", "SIP/1", "ADDMEMBER"),
            line(0, "NONE", "sales", "SIP/1", "ADDMEMBER"),
            line(0, "NONE", "sales", "SIP/2", "ADDMEMBER"),
            line(10, "NONE", "NONE", "SIP/1", "PAUSEALL", "meeting"),
        ])
        #expect(panel.members[member("support", "SIP/1")]?.pauseReason == "meeting")
        #expect(panel.members[member("sales", "SIP/1")]?.paused == true)
        #expect(panel.members[member("sales", "SIP/2")]?.paused == false)
        #expect(panel.members.count == 3, "PAUSEALL must not make the agent a member of a queue called NONE")

        let resumed = state([
            line(0, "NONE", "support", "SIP/1", "ADDMEMBER"),
            line(10, "NONE", "NONE", "SIP/1", "PAUSEALL", "meeting"),
            line(20, "NONE", "NONE", "SIP/1", "UNPAUSEALL"),
        ])
        #expect(resumed.members[member("support", "SIP/1")] == .init(since: time(20), lastEventAt: time(20)))
    }

    @Test func agentLogoffWithoutAQueueEndsEveryMembershipAndTheCurrentCall() {
        let panel = state([
            line(0, "NONE", "support", "Agent/7", "AGENTLOGIN", "SIP/7"),
            line(0, "NONE", "sales", "Agent/7", "ADDMEMBER"),
            line(5, "c1", "sales", "Agent/7", "CONNECT", "3", "c1b", "2"),
            line(9, "NONE", "NONE", "Agent/7", "AGENTLOGOFF", "SIP/7", "9"),
        ])
        #expect(panel.members.isEmpty)
        #expect(panel.agentCalls.isEmpty)
    }

    @Test func aCallerWaitsIsAnsweredAndCompletesWithItsCounters() {
        let panel = state([
            line(0, "NONE", "support", "SIP/1", "ADDMEMBER"),
            line(100, "c1", "support", "NONE", "ENTERQUEUE", "", "+15551234", "1"),
            line(105, "c1", "support", "SIP/1", "RINGNOANSWER", "5000"),
        ])
        #expect(
            panel.waiting[call("c1")]
                == .init(queue: "support", callerID: "+15551234", position: 1, enteredAt: time(100), lastEventAt: time(105)))

        let answered = state([
            line(0, "NONE", "support", "SIP/1", "ADDMEMBER"),
            line(100, "c1", "support", "NONE", "ENTERQUEUE", "", "+15551234", "1"),
            line(120, "c1", "support", "SIP/1", "CONNECT", "20", "c1b", "3"),
        ])
        #expect(answered.waiting.isEmpty)
        #expect(
            answered.calls[call("c1")]
                == .init(queue: "support", agent: "SIP/1", connectedAt: time(120), holdSeconds: 20, lastEventAt: time(120)))
        #expect(answered.agentCalls[.init(source: "pbx1", agent: "SIP/1")] == .init(callID: "c1", queue: "support", since: time(120)))

        let completed = state([
            line(100, "c1", "support", "NONE", "ENTERQUEUE", "", "+15551234", "1"),
            line(121, "c1", "support", "SIP/1", "CONNECT", "21", "c1b", "3"),
            line(200, "c1", "support", "SIP/1", "COMPLETECALLER", "21", "79", "1"),
        ])
        #expect(completed.calls.isEmpty)
        #expect(completed.agentCalls.isEmpty)
        var expected = PanelState.DayCounters()
        expected.offered = 1
        expected.answered = 1
        expected.holdSecondsTotal = 21
        expected.holdCount = 1
        expected.talkSecondsTotal = 79
        expected.talkCount = 1
        // Held 21 s: over the 20 s service level.
        #expect(completed.counters[.init(queue: "support", day: today)] == expected)
        #expect(answered.counters[.init(queue: "support", day: today)]?.answeredWithinServiceLevel == 1)
    }

    @Test func aConnectMakesTheAgentAMemberWhenItsAddMemberWasLost() {
        let panel = state([line(5, "c1", "support", "SIP/9", "CONNECT", "3", "c1b", "2")])
        #expect(panel.members[member("support", "SIP/9")] != nil)
    }

    /// Transfers end the call; their talk time is the second-last field whatever the transfer's own fields.
    @Test(arguments: [
        ("TRANSFER", ["200", "from-internal", "4", "61", "1"]),
        ("BLINDTRANSFER", ["200", "from-internal", "4", "61", "1"]),
        ("ATTENDEDTRANSFER", ["BRIDGE", "bridge-id", "4", "61", "1"]),
        ("ATTENDEDTRANSFER", ["LINK", "SIP/1-0001", "SIP/2-0002", "4", "61", "1"]),
    ])
    func aTransferEndsTheCallWithItsTalkTime(event: String, data: [String]) {
        let panel = state([
            line(0, "c1", "support", "NONE", "ENTERQUEUE", "", "+1", "1"),
            line(4, "c1", "support", "SIP/1", "CONNECT", "4", "c1b", "1"),
            ([String(Self.start + 65), "c1", "support", "SIP/1", event] + data).joined(separator: "|"),
        ])
        #expect(panel.calls.isEmpty)
        #expect(panel.agentCalls.isEmpty)
        #expect(panel.counters[.init(queue: "support", day: today)]?.talkSecondsTotal == 61)
        #expect(panel.counters[.init(queue: "support", day: today)]?.talkCount == 1)
    }

    @Test func abandonsAndTimeoutsLeaveTheQueueAndAreCounted() {
        let panel = state([
            line(0, "c1", "support", "NONE", "ENTERQUEUE", "", "+1", "1"),
            line(0, "c2", "support", "NONE", "ENTERQUEUE", "", "+2", "2"),
            line(0, "c3", "support", "NONE", "ENTERQUEUE", "", "+3", "3"),
            line(0, "c4", "support", "NONE", "ENTERQUEUE", "", "+4", "4"),
            line(0, "c5", "support", "NONE", "ENTERQUEUE", "", "+5", "5"),
            line(30, "c1", "support", "NONE", "ABANDON", "1", "1", "30"),
            line(60, "c2", "support", "NONE", "EXITWITHTIMEOUT", "1", "2", "60"),
            line(61, "c3", "support", "NONE", "EXITWITHKEY", "5", "1", "3", "61"),
            line(62, "c4", "support", "NONE", "EXITEMPTY", "1", "4", "62"),
        ])
        #expect(Array(panel.waiting.keys) == [call("c5")])
        let counters = panel.counters[.init(queue: "support", day: today)]
        #expect(counters?.offered == 5)
        #expect(counters?.abandoned == 1)
        #expect(counters?.timedOut == 3)
        #expect(counters?.answered == 0)
    }

    @Test func aPBXRestartEndsItsWaitingCallersAndCallsButNotAnotherPBXs() {
        var panel = state([
            line(0, "c1", "support", "NONE", "ENTERQUEUE", "", "+1", "1"),
            line(1, "c2", "support", "SIP/1", "CONNECT", "1", "x", "1"),
        ])
        let other = state([line(0, "c9", "support", "NONE", "ENTERQUEUE", "", "+9", "1")], source: "pbx2")
        panel.waiting.merge(other.waiting) { $1 }
        let restart = QueueLogParser.parse(Array("\(Self.start + 50)|NONE|NONE|NONE|QUEUESTART|\n".utf8), source: "pbx1", firstOffset: 0)
        for event in restart.events { panel.apply(event, rules: rules) }
        #expect(Array(panel.waiting.keys) == [.init(source: "pbx2", callID: "c9")])
        #expect(panel.calls.isEmpty)
        #expect(panel.agentCalls.isEmpty)
        #expect(panel.members[member("support", "SIP/1")] != nil, "members stay: the PBX logs them in again or not")
    }

    @Test func anUnknownEventChangesNothing() {
        let before = state([line(0, "c1", "support", "NONE", "ENTERQUEUE", "", "+1", "1")])
        var after = before
        let unknown = QueueEvent(
            source: "pbx1", id: "99", time: time(5), callID: "c1", queue: "support", agent: "NONE", name: .other("DID"),
            data: ["5551234"])
        #expect(after.apply(unknown, rules: rules) == .unknownEvent)
        #expect(after == before)
    }

    @Test func countersGoToTheDayOfTheEventsOwnTimeInThePanelsTimeZone() throws {
        // 2023-11-14 22:13:20 UTC is already 2023-11-15 in Tokyo.
        let tokyo = PanelRules(calendar: PanelCalendar(timeZone: try #require(TimeZone(identifier: "Asia/Tokyo"))))
        var panel = PanelState()
        let (events, _) = QueueLogParser.parse(Array((line(0, "c1", "q", "NONE", "ENTERQUEUE") + "\n").utf8), source: "p", firstOffset: 0)
        for event in events { panel.apply(event, rules: tokyo) }
        #expect(Array(panel.counters.keys) == [.init(queue: "q", day: PanelDay(year: 2023, month: 11, day: 15))])
        #expect(PanelDay(year: 2023, month: 11, day: 5).description == "2023-11-05")
    }

    @Test func theSweepEndsOnlyGhostsPastTheirLimits() {
        var panel = state([
            line(0, "NONE", "support", "SIP/1", "ADDMEMBER"),
            line(0, "NONE", "support", "SIP/2", "PAUSE", "break"),
            line(0, "old", "support", "NONE", "ENTERQUEUE", "", "+1", "1"),
            line(3000, "new", "support", "NONE", "ENTERQUEUE", "", "+2", "2"),
            line(10, "long", "support", "SIP/1", "CONNECT", "1", "x", "1"),
        ])
        // An hour and a minute after the start: the first caller is a ghost, the second is not; the call is
        // within its four hours.
        var resets = panel.sweepGhosts(now: time(3660), limits: GhostLimits())
        #expect(resets == [.waitingCaller(call("old"), queue: "support")])
        #expect(Array(panel.waiting.keys) == [call("new")])
        #expect(panel.calls.count == 1)

        resets = panel.sweepGhosts(now: time(4 * 3600 + 11), limits: GhostLimits())
        #expect(Set(resets.map(\.kind)) == ["waiting_caller", "call", "agent_on_call"])
        #expect(panel.calls.isEmpty && panel.agentCalls.isEmpty && panel.waiting.isEmpty)
        #expect(panel.members.count == 2, "quiet agents, paused or not, are never swept")
    }

    /// A corrupt number (past 115 days) is no number: it could not be stored, and would overflow the day's
    /// totals. The event still does what it does; only the figure is left out.
    @Test func numbersPastTheirRangeAreLeftOut() {
        let panel = state([
            line(0, "NONE", "support", "SIP/1", "ADDMEMBER"),
            line(1, "c-1", "support", "NONE", "ENTERQUEUE", "", "+49", "3000000000"),
            line(2, "c-1", "support", "SIP/1", "CONNECT", "3000000000", "x", "1"),
            line(9, "c-1", "support", "SIP/1", "COMPLETEAGENT", "1", "9000000000000000000", "1"),
            line(10, "c-2", "support", "NONE", "ENTERQUEUE", "", "+49", "1"),
            line(11, "c-2", "support", "SIP/1", "CONNECT", "1", "x", "1"),
            line(19, "c-2", "support", "SIP/1", "COMPLETEAGENT", "1", "9000000000000000000", "1"),
        ])
        let counters = panel.counters[.init(queue: "support", day: today)]!
        #expect(counters.answered == 2 && counters.offered == 2)
        #expect(counters.holdCount == 1 && counters.holdSecondsTotal == 1)
        #expect(counters.talkCount == 0 && counters.talkSecondsTotal == 0)
        #expect(panel.calls.isEmpty && panel.agentCalls.isEmpty)
    }
}
