import CallsCore
import Foundation
import Testing

/// The CDR of a call seen in a PBX's queue events, field by field, against values worked out by hand.
@Suite struct QueueCallCdrTests {
    static func at(_ seconds: Double) -> Date {
        Date(timeIntervalSince1970: 1_795_860_000 + seconds)
    }

    static func event(
        _ time: Double, _ name: String, agent: String = "NONE", queue: String = "support", _ data: [String] = []
    ) -> QueueCallCdr.Event {
        QueueCallCdr.Event(time: at(time), queue: queue, agent: agent, name: name, data: data)
    }

    static let grace = CdrGrace(firstSeenAt: at(1000), seconds: 120, now: at(1010))
    static let graceOver = CdrGrace(firstSeenAt: at(1000), seconds: 120, now: at(1200))

    static func decide(_ events: [QueueCallCdr.Event], grace: CdrGrace = grace) -> CdrDecision {
        QueueCallCdr.decide(source: "pbx1", callKey: "1700000000.42", events: events, grace: grace)
    }

    static func built(_ events: [QueueCallCdr.Event], grace: CdrGrace = grace) throws -> CallDetailRecord {
        let decision = decide(events, grace: grace)
        guard case .build(let record) = decision else { throw ImportedCallCdrTests.BuildExpected(decision: decision) }
        return record
    }

    /// Entered at 0, rang SIP/1 in vain, answered by SIP/2 after 12 s, talked 188 s (as COMPLETECALLER says).
    static let answered = [
        event(0, "ENTERQUEUE", ["", "+4930123", "1"]),
        event(5, "RINGNOANSWER", agent: "SIP/1", ["5000"]),
        event(12, "CONNECT", agent: "SIP/2", ["12", "1700000000.43", "3"]),
        event(200, "COMPLETECALLER", agent: "SIP/2", ["12", "188", "1"]),
    ]

    @Test func anAnsweredCall() throws {
        let record = try Self.built(Self.answered)
        #expect(record.kind == .queue && record.source == "pbx1" && record.callKey == "1700000000.42")
        #expect(record.callID == 0 && record.callRowID == nil)
        #expect(record.initiatorPhone == "+4930123")
        #expect(record.callType == "inbound" && record.scenarioID == "")
        #expect(record.startTime == Self.at(0) && record.endTime == Self.at(200))
        #expect(record.durationSeconds == 200)
        #expect(record.operatorID == nil && record.operatorName == "SIP/2")
        #expect(record.callResult == "completed")
        #expect(record.numberOfConnections == 1)
        #expect(record.numberOfEvents == 4)
        #expect(record.waitSeconds == 12)
        #expect(record.talkSeconds == 188)
        #expect(record.holdSeconds == 0)
        #expect(record.answered)
        #expect(record.queue == "support" && record.agent == "SIP/2")
        #expect(record.complete)
    }

    @Test func anAbandonedCall() throws {
        let record = try Self.built([Self.event(0, "ENTERQUEUE", ["", "+4930999", "2"]), Self.event(40, "ABANDON", ["2", "2", "40"])])
        #expect(record.durationSeconds == 40)
        #expect(record.callResult == "abandoned")
        #expect(record.numberOfConnections == 0 && record.numberOfEvents == 2)
        #expect(record.waitSeconds == nil && record.talkSeconds == 0 && !record.answered)
        #expect(record.agent == nil && record.operatorName == nil && record.queue == "support")
        #expect(record.initiatorPhone == "+4930999" && record.complete)
    }

    @Test(arguments: [
        ("EXITWITHTIMEOUT", "timeout"), ("EXITWITHKEY", "exit_with_key"), ("EXITEMPTY", "exit_empty"), ("ABANDON", "abandoned"),
    ])
    func everyUnansweredEndHasItsResult(name: String, result: String) throws {
        let record = try Self.built([Self.event(0, "ENTERQUEUE", ["", "1", "1"]), Self.event(60, name, ["1", "1", "60"])])
        #expect(record.callResult == result && !record.answered && record.durationSeconds == 60)
    }

    /// A transfer ends the call with `…|holdtime|calltime|position`: 95 s of talk.
    @Test func aTransferredCall() throws {
        let record = try Self.built([
            Self.event(0, "ENTERQUEUE", ["", "555", "1"]), Self.event(8, "CONNECT", agent: "SIP/3", ["8", "x", "2"]),
            Self.event(103, "BLINDTRANSFER", agent: "SIP/3", ["200", "ctx", "8", "95", "1"]),
        ])
        #expect(record.callResult == "transferred" && record.talkSeconds == 95 && record.waitSeconds == 8)
        #expect(record.durationSeconds == 103 && record.agent == "SIP/3")
    }

    /// Without the calltime the completion reports, talk is the time from the answer to the end.
    @Test func talkWithoutReportedCalltimeIsCountedFromTheAnswer() throws {
        let record = try Self.built([
            Self.event(0, "ENTERQUEUE", ["", "555", "1"]), Self.event(8, "CONNECT", agent: "SIP/3", ["8"]),
            Self.event(70.5, "COMPLETEAGENT", agent: "SIP/3", ["8"]),
        ])
        #expect(record.talkSeconds == 62)
    }

    @Test func aCallStillInTheQueueOrOnTheLineIsNotFinished() {
        #expect(Self.decide(Array(Self.answered.prefix(3)), grace: Self.graceOver) == .notFinished)
        #expect(Self.decide([Self.event(0, "ENTERQUEUE", ["", "1", "1"])], grace: Self.graceOver) == .notFinished)
        // Sent on by a key press to another queue, where it waits: finished only when that visit ends.
        let onward = [
            Self.event(0, "ENTERQUEUE", ["", "1", "1"]), Self.event(30, "EXITWITHKEY", ["5", "1", "1", "30"]),
            Self.event(31, "ENTERQUEUE", queue: "sales", ["", "1", "1"]),
        ]
        #expect(Self.decide(onward, grace: Self.graceOver) == .notFinished)
    }

    /// Two visits: the CDR spans both, and takes its result and queue from the last.
    @Test func aCallThroughTwoQueuesIsOneRecord() throws {
        let record = try Self.built([
            Self.event(0, "ENTERQUEUE", ["", "777", "1"]), Self.event(30, "EXITWITHKEY", ["5", "1", "1", "30"]),
            Self.event(31, "ENTERQUEUE", queue: "sales", ["", "777", "1"]),
            Self.event(50, "CONNECT", agent: "SIP/9", queue: "sales", ["19", "x", "1"]),
            Self.event(110, "COMPLETEAGENT", agent: "SIP/9", queue: "sales", ["19", "60", "1"]),
        ])
        #expect(record.startTime == Self.at(0) && record.durationSeconds == 110 && record.waitSeconds == 50)
        #expect(record.queue == "sales" && record.callResult == "completed" && record.talkSeconds == 60)
        #expect(record.numberOfConnections == 1 && record.numberOfEvents == 5)
    }

    /// Its ENTERQUEUE missing, a finished call waits; after the grace period it starts at the answer minus the
    /// holdtime, with no caller id.
    @Test func aCallWithoutItsEntryWaitsThenIsBuiltIncomplete() throws {
        let events = Array(Self.answered.dropFirst())
        #expect(Self.decide(events) == .waitUntil(Self.at(1120)))
        let record = try Self.built(events, grace: Self.graceOver)
        #expect(!record.complete)
        #expect(record.startTime == Self.at(0) && record.durationSeconds == 200 && record.waitSeconds == 12)
        #expect(record.initiatorPhone == "" && record.numberOfEvents == 3)
    }

    /// An answered end without its CONNECT waits too, and then takes the holdtime the completion reports.
    @Test func aCompletionWithoutConnectWaitsThenIsBuiltIncomplete() throws {
        let events = [Self.answered[0], Self.answered[3]]
        #expect(Self.decide(events) == .waitUntil(Self.at(1120)))
        let record = try Self.built(events, grace: Self.graceOver)
        #expect(!record.complete && record.answered && record.numberOfConnections == 1)
        #expect(record.waitSeconds == 12 && record.talkSeconds == 188 && record.agent == "SIP/2")
    }

    /// The builder orders events by time whatever order they come in.
    @Test func eventsAreTakenInTimeOrder() throws {
        #expect(try Self.built(Self.answered.reversed()) == (try Self.built(Self.answered)))
    }
}
