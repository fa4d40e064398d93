import CallsCore
import Foundation
import Testing

/// The CDR of an imported call, field by field, against values worked out by hand.
@Suite struct ImportedCallCdrTests {
    /// 2026-11-28 10:00:00 UTC, plus `seconds`.
    static func at(_ seconds: Double) -> Date {
        Date(timeIntervalSince1970: 1_795_860_000 + seconds)
    }

    static let rowID = UUID(uuidString: "6f1c3a52-8d3e-4c1b-9a41-2f0e5b7d9c10")!

    /// Started 10:00:00.000, ended 10:05:30.600: 330.6 s, so 330.
    static func call(ended: Date? = at(330.6)) -> ImportedCallCdr.Call {
        ImportedCallCdr.Call(
            rowID: rowID, source: "crm", externalID: 4711, initiatorPhone: "+49 30 1234567", direction: "inbound",
            scenarioID: "sales-ivr", startedAt: at(0), endedAt: ended)
    }

    /// Answered after 15.9 s, talked 164.2 s (10:00:15.900 to 10:03:00.100); the second leg talked 130 s.
    static let legs = [
        ImportedCallCdr.Leg(connectionID: 1, initiatedAt: at(2), answeredAt: at(15.9), finishedAt: at(180.1)),
        ImportedCallCdr.Leg(connectionID: 2, initiatedAt: at(185), answeredAt: at(200), finishedAt: at(330)),
        ImportedCallCdr.Leg(connectionID: 3, initiatedAt: at(186), answeredAt: nil, finishedAt: at(190)),
    ]

    /// Holds of 30 and 12.9 (so 12) seconds; operator 7 assigned, then 8; resolved.
    static let events = [
        ImportedCallCdr.Event(eventID: 10, type: "call_initiated"),
        ImportedCallCdr.Event(eventID: 11, type: "ivr_entered"),
        ImportedCallCdr.Event(eventID: 12, type: "operator_assigned", operatorID: 7, payloadName: "Boris", operatorRowName: "Boris K."),
        ImportedCallCdr.Event(eventID: 13, type: "on_hold", duration: "30"),
        ImportedCallCdr.Event(eventID: 14, type: "call_resumed"),
        ImportedCallCdr.Event(eventID: 15, type: "operator_assigned", operatorID: 8, payloadName: "Anna", operatorRowName: "Anna Petrova"),
        ImportedCallCdr.Event(eventID: 16, type: "on_hold", duration: "12.9"),
        ImportedCallCdr.Event(eventID: 17, type: "call_finished", status: "resolved"),
    ]

    static func inputs(
        call: ImportedCallCdr.Call? = call(), legs: [ImportedCallCdr.Leg] = legs, events: [ImportedCallCdr.Event] = events
    ) -> ImportedCallCdr.Inputs {
        ImportedCallCdr.Inputs(source: "crm", externalID: 4711, call: call, legs: legs, events: events)
    }

    static let firstSeen = at(400)
    /// Within the 120 s of grace from `firstSeen`, and after them.
    static let early = CdrGrace(firstSeenAt: firstSeen, seconds: 120, now: at(450))
    static let late = CdrGrace(firstSeenAt: firstSeen, seconds: 120, now: at(520))

    static func built(_ decision: CdrDecision) throws -> CallDetailRecord {
        guard case .build(let record) = decision else { throw BuildExpected(decision: decision) }
        return record
    }

    struct BuildExpected: Error {
        var decision: CdrDecision
    }

    @Test func aFinishedCallWithEveryInputIsBuiltAtOnce() throws {
        let record = try Self.built(ImportedCallCdr.decide(Self.inputs(), grace: Self.early))
        #expect(record.kind == .import && record.source == "crm" && record.callKey == "4711")
        #expect(record.callID == 4711 && record.callRowID == Self.rowID)
        #expect(record.initiatorPhone == "+49 30 1234567")
        #expect(record.callType == "inbound")
        #expect(record.scenarioID == "sales-ivr")
        #expect(record.startTime == Self.at(0) && record.endTime == Self.at(330.6))
        #expect(record.durationSeconds == 330)
        #expect(record.operatorID == 8 && record.operatorName == "Anna Petrova")
        #expect(record.callResult == "resolved")
        #expect(record.numberOfConnections == 3)
        #expect(record.numberOfEvents == 8)
        #expect(record.waitSeconds == 15)
        #expect(record.talkSeconds == 164 + 130)
        #expect(record.holdSeconds == 30 + 12)
        #expect(record.answered)
        #expect(record.queue == nil && record.agent == nil)
        #expect(record.complete)
        #expect(record.builtAt == Self.at(450))
    }

    @Test func aCallWithoutOperatorAssignmentHasNoOperatorToWaitFor() throws {
        let events = Self.events.filter { $0.type != "operator_assigned" }
        let record = try Self.built(ImportedCallCdr.decide(Self.inputs(events: events), grace: Self.early))
        #expect(record.complete)
        #expect(record.operatorID == nil && record.operatorName == nil)
        #expect(record.numberOfEvents == 6)
    }

    /// The operator's row has not arrived: the call waits, then takes the name the event carried.
    @Test func anOperatorNotYetInWaitsThenTakesThePayloadName() throws {
        var events = Self.events
        events[5].operatorRowName = nil
        #expect(ImportedCallCdr.decide(Self.inputs(events: events), grace: Self.early) == .waitUntil(Self.at(520)))
        let record = try Self.built(ImportedCallCdr.decide(Self.inputs(events: events), grace: Self.late))
        #expect(!record.complete)
        #expect(record.operatorID == 8 && record.operatorName == "Anna")
        #expect(record.durationSeconds == 330 && record.talkSeconds == 294 && record.holdSeconds == 42)
    }

    /// An assignment naming no operator id: no row can ever come, so nothing to wait for.
    @Test func anAssignmentWithoutOperatorIDDoesNotWait() throws {
        var events = Self.events
        events[5].operatorID = nil
        events[5].operatorRowName = nil
        let record = try Self.built(ImportedCallCdr.decide(Self.inputs(events: events), grace: Self.early))
        #expect(record.complete && record.operatorID == nil && record.operatorName == "Anna")
    }

    @Test func aCallWithoutLegsWaitsThenIsBuiltUnanswered() throws {
        #expect(ImportedCallCdr.decide(Self.inputs(legs: []), grace: Self.early) == .waitUntil(Self.at(520)))
        let record = try Self.built(ImportedCallCdr.decide(Self.inputs(legs: []), grace: Self.late))
        #expect(!record.complete)
        #expect(record.numberOfConnections == 0)
        #expect(record.waitSeconds == nil)
        #expect(record.talkSeconds == 0)
        #expect(!record.answered)
        #expect(record.durationSeconds == 330 && record.callResult == "resolved" && record.operatorName == "Anna Petrova")
    }

    /// A leg still open when the grace period ends talked until the call ended (330.6 − 200 = 130.6, so 130).
    @Test func aLegStillOpenWaitsThenTalksToTheCallsEnd() throws {
        var legs = Self.legs
        legs[1].finishedAt = nil
        #expect(ImportedCallCdr.decide(Self.inputs(legs: legs), grace: Self.early) == .waitUntil(Self.at(520)))
        let record = try Self.built(ImportedCallCdr.decide(Self.inputs(legs: legs), grace: Self.late))
        #expect(!record.complete && record.talkSeconds == 164 + 130 && record.numberOfConnections == 3)
    }

    /// An end time but no finishing event: finished only in part, so built after the grace period, without a
    /// result.
    @Test func anEndWithoutFinishingEventIsBuiltAfterTheGracePeriod() throws {
        let events = Array(Self.events.dropLast())
        #expect(ImportedCallCdr.decide(Self.inputs(events: events), grace: Self.early) == .waitUntil(Self.at(520)))
        let record = try Self.built(ImportedCallCdr.decide(Self.inputs(events: events), grace: Self.late))
        #expect(!record.complete && record.callResult == nil && record.numberOfEvents == 7)
    }

    @Test func aCallWithoutEndTimeGetsNoCDREvenAfterTheGracePeriod() {
        #expect(ImportedCallCdr.decide(Self.inputs(call: Self.call(ended: nil)), grace: Self.late) == .notFinished)
        #expect(ImportedCallCdr.decide(Self.inputs(call: nil), grace: Self.late) == .notFinished)
    }

    /// `hangup` finishes a call too, and leaves `call_result` null.
    @Test func aHangupFinishesWithoutResult() throws {
        var events = Array(Self.events.dropLast())
        events.append(ImportedCallCdr.Event(eventID: 18, type: "hangup"))
        let record = try Self.built(ImportedCallCdr.decide(Self.inputs(events: events), grace: Self.early))
        #expect(record.complete && record.callResult == nil)
    }

    /// A zero grace period builds with what is known at once.
    @Test func aZeroGracePeriodBuildsAtOnce() throws {
        let grace = CdrGrace(firstSeenAt: Self.firstSeen, seconds: 0, now: Self.firstSeen)
        let record = try Self.built(ImportedCallCdr.decide(Self.inputs(legs: []), grace: grace))
        #expect(!record.complete)
    }

    /// Bad source data makes a writable CDR: an end before the start lasts 0 s, a hold that is no number
    /// counts 0, one far too large is capped like every duration.
    @Test func badSourceValuesStayWithinTheColumns() throws {
        let backwards = Self.call(ended: Self.at(-5))
        let events =
            Self.events + [
                ImportedCallCdr.Event(eventID: 20, type: "on_hold", duration: "soon"),
                ImportedCallCdr.Event(eventID: 21, type: "on_hold", duration: "-4"),
                ImportedCallCdr.Event(eventID: 22, type: "on_hold", duration: "1e30"),
            ]
        let record = try Self.built(ImportedCallCdr.decide(Self.inputs(call: backwards, events: events), grace: Self.early))
        #expect(record.durationSeconds == 0)
        #expect(record.holdSeconds == WholeSeconds.maximum)
        #expect(record.talkSeconds == 164 + 130)
    }

    @Test func wholeSecondsRoundDown() {
        #expect(WholeSeconds.between(Self.at(0.999), Self.at(10.999)) == 10)
        #expect(WholeSeconds.between(Self.at(0), Self.at(9.999_999)) == 9)
        #expect(WholeSeconds.between(Self.at(10), Self.at(0)) == 0)
        #expect(WholeSeconds.parse(" 7 ") == 7 && WholeSeconds.parse("7.99") == 7 && WholeSeconds.parse(nil) == nil)
        #expect(WholeSeconds.parse("nan") == nil && WholeSeconds.parse("inf") == nil)
        #expect(WholeSeconds.sum([WholeSeconds.maximum, 1]) == WholeSeconds.maximum)
    }
}
