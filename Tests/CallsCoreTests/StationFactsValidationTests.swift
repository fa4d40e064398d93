import CallsCore
import Foundation
import Testing

/// The `station` object of `POST /calls` (and gRPC's `CreateCallRequest.station`).
@Suite struct StationFactsValidationTests {
    static let start = "2026-11-21T09:30:00Z"

    static func validate(_ station: StationFactsRequest, startedAt: String = start) throws(ValidationFailure) -> NewCall {
        try NewCallRequest(caller: "+100", receiver: "+200", startedAt: startedAt, station: station).validated()
    }

    static func failedFields(_ station: StationFactsRequest, startedAt: String = start) -> [String] {
        do {
            _ = try validate(station, startedAt: startedAt)
            return []
        } catch {
            return error.errors.map(\.field)
        }
    }

    @Test func acceptsEveryFactAndKeepsThemAsSent() throws {
        let call = try Self.validate(
            StationFactsRequest(
                name: " pbx-1 ", callId: "1b7b6c2e-8d2e-4d1e-9f00-3f1d2a9c0b11", direction: "inbound",
                answeredAt: "2026-11-21T12:30:05+03:00", endedAt: "2026-11-21T09:31:00Z", hangupCause: "NORMAL_CLEARING", durationSec: 60,
                billableSec: 55))
        #expect(
            call.station
                == StationFacts(
                    name: "pbx-1", callID: "1b7b6c2e-8d2e-4d1e-9f00-3f1d2a9c0b11", direction: "inbound",
                    answeredAt: Timestamp.parse("2026-11-21T09:30:05Z"), endedAt: Timestamp.parse("2026-11-21T09:31:00Z"),
                    hangupCause: "NORMAL_CLEARING", durationSec: 60, billableSec: 55))
    }

    @Test func onlyTheNameIsRequired() throws {
        #expect(try Self.validate(StationFactsRequest(name: "pbx-1")).station == StationFacts(name: "pbx-1"))
        #expect(Self.failedFields(StationFactsRequest(name: nil, direction: "inbound")) == ["station.name"])
        #expect(try NewCallRequest(caller: "+100", receiver: "+200", startedAt: Self.start).validated().station == nil)
    }

    @Test(arguments: ["", "   ", String(repeating: "p", count: 65), "pbx\u{0}1", "pbx\n1"])
    func refusesABadName(_ name: String) {
        #expect(Self.failedFields(StationFactsRequest(name: name)) == ["station.name"])
    }

    @Test func refusesTooLongOrControlLadenTexts() {
        let long = String(repeating: "x", count: 129)
        #expect(
            Self.failedFields(StationFactsRequest(name: "pbx", callId: long, hangupCause: String(repeating: "C", count: 65)))
                == ["station.call_id", "station.hangup_cause"])
        #expect(Self.failedFields(StationFactsRequest(name: "pbx", callId: "a\u{7F}b")) == ["station.call_id"])
        #expect(Self.failedFields(StationFactsRequest(name: "pbx", callId: String(repeating: "x", count: 128))) == [])
    }

    @Test(arguments: ["INBOUND", "local", "", "sideways"])
    func refusesAnUnknownDirection(_ direction: String) {
        #expect(Self.failedFields(StationFactsRequest(name: "pbx", direction: direction)) == ["station.direction"])
    }

    @Test(arguments: ["inbound", "outbound", "internal"])
    func acceptsTheThreeDirections(_ direction: String) throws {
        #expect(try Self.validate(StationFactsRequest(name: "pbx", direction: direction)).station?.direction == direction)
    }

    @Test func refusesTimesThatAreNotTimestamps() {
        #expect(
            Self.failedFields(StationFactsRequest(name: "pbx", answeredAt: "soon", endedAt: "2026-11-21 09:31"))
                == ["station.answered_at", "station.ended_at"])
    }

    @Test func refusesAnAnswerOrEndBeforeTheStart() {
        #expect(
            Self.failedFields(StationFactsRequest(name: "pbx", answeredAt: "2026-11-21T09:29:00Z", endedAt: "2026-11-21T09:29:59Z"))
                == ["station.answered_at", "station.ended_at"])
    }

    @Test func refusesAnAnswerAfterTheEnd() {
        #expect(
            Self.failedFields(StationFactsRequest(name: "pbx", answeredAt: "2026-11-21T09:32:00Z", endedAt: "2026-11-21T09:31:00Z"))
                == ["station.answered_at"])
    }

    @Test func anInvalidStartIsReportedOnceAndNotAgainstTheFacts() {
        #expect(
            Self.failedFields(StationFactsRequest(name: "pbx", endedAt: "2026-11-21T09:31:00Z"), startedAt: "not a time") == ["started_at"])
    }

    @Test func refusesSecondsOutOfRange() throws {
        let tooMany = StationFactsRequest.maxSeconds + 1
        #expect(
            Self.failedFields(StationFactsRequest(name: "pbx", durationSec: -1, billableSec: tooMany))
                == ["station.duration_sec", "station.billable_sec"])
        #expect(Self.failedFields(StationFactsRequest(name: "pbx", durationSec: 0, billableSec: 0)) == [])
        let longest = StationFactsRequest.maxSeconds
        #expect(
            try Self.validate(StationFactsRequest(name: "pbx", durationSec: longest, billableSec: longest)).station?.durationSec == longest)
    }

    @Test func secondsThatAreNotWholeNumbersAreRefusedUnderTheirField() throws {
        var request = StationFactsRequest(name: "pbx")
        request.durationSec = .string("60")
        request.billableSec = .number(1.5)
        #expect(Self.failedFields(request) == ["station.duration_sec", "station.billable_sec"])
        request.durationSec = .null
        request.billableSec = nil
        #expect(try Self.validate(request).station == StationFacts(name: "pbx"))
    }

    @Test func lengthsAreCountedInUnicodeScalars() {
        let stacked = "a" + String(repeating: "\u{301}", count: 64)
        #expect(Self.failedFields(StationFactsRequest(name: stacked)) == ["station.name"])
    }

    @Test func refusesMoreBillableSecondsThanTheCallLasted() {
        #expect(Self.failedFields(StationFactsRequest(name: "pbx", durationSec: 30, billableSec: 31)) == ["station.billable_sec"])
    }
}
