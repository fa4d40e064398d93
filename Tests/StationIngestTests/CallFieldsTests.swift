import CallsProto
import Foundation
import SwiftProtobuf
import Testing

@testable import StationIngest

/// What `calls-ingest` sends for a pair: the call, and the station's other facts as the call's `station`.
@Suite struct CallFieldsTests {
    static let start = Date(timeIntervalSince1970: 1_795_253_400)
    static let facts = CallFacts(
        callID: "0d9a3c8e-2f61-4b6a-9d57-5c1e8f2a7b30", direction: "inbound", answeredAt: start.addingTimeInterval(2.5),
        endedAt: start.addingTimeInterval(9), hangupCause: "NORMAL_CLEARING", durationSeconds: 9, billableSeconds: 6)

    static func body(_ fields: CallFields) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(fields.json())) as? [String: Any])
    }

    @Test func theBodyCarriesEveryFactUnderTheStationsName() throws {
        let fields = CallFields(caller: "+100", receiver: "+200", startedAt: Self.start, tags: ["e2e"], facts: Self.facts)
        let body = try Self.body(fields.reported(by: "pbx-1"))
        #expect(body["started_at"] as? String == "2026-11-21T09:30:00.000Z")
        let station = try #require(body["station"] as? [String: Any])
        #expect(station["name"] as? String == "pbx-1")
        #expect(station["call_id"] as? String == "0d9a3c8e-2f61-4b6a-9d57-5c1e8f2a7b30")
        #expect(station["direction"] as? String == "inbound")
        #expect(station["answered_at"] as? String == "2026-11-21T09:30:02.500Z")
        #expect(station["ended_at"] as? String == "2026-11-21T09:30:09.000Z")
        #expect(station["hangup_cause"] as? String == "NORMAL_CLEARING")
        #expect(station["duration_sec"] as? Int == 9 && station["billable_sec"] as? Int == 6)
    }

    @Test func absentFactsAreLeftOutAndNoStationSendsNoObject() throws {
        let fields = CallFields(caller: "+100", receiver: "+200", startedAt: Self.start, tags: [])
        #expect(try Self.body(fields)["station"] == nil)
        let station = try #require(try Self.body(fields.reported(by: "pbx-1"))["station"] as? [String: Any])
        #expect(station.keys.sorted() == ["name"])
    }

    /// ICU's formatter truncates the binary fraction (.954 → .953); the body rounds as the API does.
    @Test func timesAreRoundedToTheMillisecondAsTheServiceWritesThem() throws {
        let instant = Date(timeIntervalSince1970: 1_795_253_442.954)
        let fields = CallFields(
            caller: "+100", receiver: "+200", startedAt: instant, tags: [], facts: CallFacts(endedAt: instant), station: "pbx-1")
        let body = try Self.body(fields)
        #expect(body["started_at"] as? String == "2026-11-21T09:30:42.954Z")
        #expect((body["station"] as? [String: Any])?["ended_at"] as? String == "2026-11-21T09:30:42.954Z")
    }

    @Test func factsTheServiceWouldRefuseAreLeftOutAndNamed() {
        let odd = CallFacts(
            callID: "  ", direction: "inbound", answeredAt: Self.start.addingTimeInterval(-1), endedAt: Self.start.addingTimeInterval(9),
            hangupCause: String(repeating: "X", count: 65), durationSeconds: 9, billableSeconds: 12)
        let (kept, dropped) = odd.keepingWhatTheServiceTakes(startedAt: Self.start)
        #expect(dropped == ["answered_at", "billable_sec", "call_id", "hangup_cause"])
        #expect(kept == CallFacts(direction: "inbound", endedAt: Self.start.addingTimeInterval(9), durationSeconds: 9))
        let (untouched, none) = Self.facts.keepingWhatTheServiceTakes(startedAt: Self.start)
        #expect(untouched == Self.facts && none.isEmpty)
        let year = CallFacts(durationSeconds: 400 * 24 * 3600)
        #expect(year.keepingWhatTheServiceTakes(startedAt: Self.start).dropped == ["duration_sec"])
    }

    @Test func theGRPCMessageCarriesTheSameFacts() {
        let message = Calls_V1_StationFacts("pbx-1", Self.facts)
        #expect(message.name == "pbx-1" && message.callID == "0d9a3c8e-2f61-4b6a-9d57-5c1e8f2a7b30")
        #expect(message.direction == "inbound" && message.hangupCause == "NORMAL_CLEARING")
        #expect(message.answeredAt.date == Self.start.addingTimeInterval(2.5) && message.endedAt.date == Self.start.addingTimeInterval(9))
        #expect(message.durationSec == 9 && message.billableSec == 6)
        let bare = Calls_V1_StationFacts("pbx-1", CallFacts())
        #expect(!bare.hasCallID && !bare.hasDirection && !bare.hasAnsweredAt && !bare.hasEndedAt && !bare.hasHangupCause)
        #expect(!bare.hasDurationSec && !bare.hasBillableSec)
        // A count beyond int32 stays beyond the service's limit instead of wrapping into a small one.
        #expect(Calls_V1_StationFacts("pbx-1", CallFacts(durationSeconds: 1 << 40)).durationSec == Int32.max)
    }
}
