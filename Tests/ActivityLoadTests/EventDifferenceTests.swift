import ArgumentParser
import CallsCore
import Foundation
import Testing

@testable import ActivityLoad

/// How an event read back is compared with the one sent, field by field, and the checks' own edges.
@Suite("Comparing what was read with what was sent")
struct EventDifferenceTests {
    static let call = ExpectationTests.event("c1", .callOut, at: "2025-10-20T10:00:00.250Z", duration: 90)
    static let sms = ExpectationTests.event("s1", .smsSent, at: "2025-10-20T10:00:00Z")

    static func item(_ json: String) throws -> ActivityAPI.DetailItem {
        try JSONDecoder().decode(ActivityAPI.DetailItem.self, from: Data(json.utf8))
    }

    /// `event` as the server shows it, with `change` applied (`NSNull()` for a JSON null, removal for a
    /// missing member).
    static func item(_ event: GeneratedEvent, _ change: (inout [String: Any]) -> Void = { _ in }) throws -> ActivityAPI.DetailItem {
        var fields: [String: Any] = [
            "event_id": event.eventID, "type": event.type.rawValue, "started_at": MillisecondTime.format(event.startedMilliseconds),
            "duration_sec": event.durationSeconds, "bytes_up": event.bytesUp, "bytes_down": event.bytesDown,
            "meta": ["cell": event.cell],
        ]
        if let ended = event.endedMilliseconds { fields["ended_at"] = MillisecondTime.format(ended) }
        change(&fields)
        return try JSONDecoder().decode(ActivityAPI.DetailItem.self, from: JSONSerialization.data(withJSONObject: fields))
    }

    @Test("the same event, meta with spaces as PostgreSQL writes it and ended_at a truncated millisecond early: no difference")
    func same() throws {
        let read = try Self.item(
            #"{"event_id":"c1","type":"CALL_OUT","started_at":"2025-10-20T10:00:00.250Z","ended_at":"2025-10-20T10:01:30.249Z","#
                + #""duration_sec":90,"bytes_up":0,"bytes_down":0,"meta": {"cell": "A1"}}"#)
        #expect(read.difference(from: Self.call) == nil)
        #expect(try Self.item(Self.sms) { $0["ended_at"] = NSNull() }.difference(from: Self.sms) == nil)
        #expect(try Self.item(Self.call).difference(from: Self.call) == nil)
    }

    @Test("a field the server left out is a difference, not a pass")
    func missingFields() throws {
        for field in ["type", "started_at", "duration_sec", "bytes_up", "bytes_down"] {
            let read = try Self.item(Self.call) { $0[field] = nil }
            #expect(read.difference(from: Self.call)?.hasPrefix("\(field) missing") == true, "\(field)")
            let null = try Self.item(Self.call) { $0[field] = NSNull() }
            #expect(null.difference(from: Self.call)?.hasPrefix("\(field) missing") == true, "\(field) null")
        }
    }

    @Test("ended_at missing for a call, present for an SMS, a second off or unreadable: each named")
    func endedAt() throws {
        let missing = try Self.item(Self.call) { $0["ended_at"] = NSNull() }
        #expect(missing.difference(from: Self.call) == "ended_at missing, sent 2025-10-20T10:01:30.250Z")
        let extra = try Self.item(Self.sms) { $0["ended_at"] = "2025-10-20T10:00:00.000Z" }
        #expect(extra.difference(from: Self.sms) == "ended_at 2025-10-20T10:00:00.000Z, sent none (SMS_SENT)")
        let late = try Self.item(Self.call) { $0["ended_at"] = "2025-10-20T10:01:31.250Z" }
        #expect(late.difference(from: Self.call) == "ended_at 2025-10-20T10:01:31.250Z, sent 2025-10-20T10:01:30.250Z")
        let garbled = try Self.item(Self.call) { $0["ended_at"] = "soon" }
        #expect(garbled.difference(from: Self.call) == "ended_at soon, sent 2025-10-20T10:01:30.250Z")
    }

    @Test("meta missing, null, another value or an extra key: each named")
    func meta() throws {
        let sent = #"{"cell":"A1"}"#
        #expect(try Self.item(Self.sms) { $0["meta"] = nil }.difference(from: Self.sms) == "meta missing, sent " + sent)
        #expect(try Self.item(Self.sms) { $0["meta"] = NSNull() }.difference(from: Self.sms) == "meta missing, sent " + sent)
        let other = try Self.item(Self.sms) { $0["meta"] = ["cell": "B2"] }
        #expect(other.difference(from: Self.sms) == #"meta {"cell":"B2"}, sent {"cell":"A1"}"#)
        let extra = try Self.item(Self.sms) { $0["meta"] = ["cell": "A1", "x": 1] }
        #expect(extra.difference(from: Self.sms) == #"meta {"cell":"A1","x":1}, sent {"cell":"A1"}"#)
    }

    @Test("global rows: growth compared, a row the run touched outside the days read before is named")
    func globalGrowth() {
        let bucketing = DayBucketing(timeZone: .gmt)
        let span = GlobalAggregateCheck.Span(
            bucketing: bucketing, start: Timestamp.parse("2025-10-20T12:00:00Z")!, startSpreadSeconds: 5, runSeconds: 60)
        #expect(span.fromDay == "2025-10-19" && span.toDay == "2025-10-21")
        let day = AggregateKey(userID: nil, periodStart: "2025-10-20", type: "DATA")
        let month = AggregateKey(userID: nil, period: .month, periodStart: "2025-10-01", type: "DATA")
        let outside = AggregateKey(userID: nil, periodStart: "2025-10-25", type: "DATA")
        let before = [day: AggregateTotals(count: 10), month: AggregateTotals(count: 100)]
        let after = [day: AggregateTotals(count: 12), month: AggregateTotals(count: 102)]
        let expected = [day: AggregateTotals(count: 2), month: AggregateTotals(count: 2)]
        #expect(GlobalAggregateCheck.differences(expected: expected, before: before, after: after, span: span) == [])
        let short = [day: AggregateTotals(count: 11), month: AggregateTotals(count: 102)]
        #expect(
            GlobalAggregateCheck.differences(expected: expected, before: before, after: short, span: span) == [
                "global day 2025-10-20 DATA: expected count 2, duration_sec 0, bytes_up 0, bytes_down 0, "
                    + "got count 1, duration_sec 0, bytes_up 0, bytes_down 0 (growth over the run)"
            ])
        var beyond = expected
        beyond[outside] = AggregateTotals(count: 1)
        #expect(
            GlobalAggregateCheck.differences(expected: beyond, before: before, after: after, span: span) == [
                "global day 2025-10-25 DATA: outside the days read before the run (2025-10-19 to 2025-10-21)"
            ])
    }

    @Test("--latency-users below 1 and an unknown --verify are refused; --latency-users is capped at --users")
    func options() throws {
        let base = ["--key", "k", "--users", "20"]
        #expect(throws: (any Error).self) { try ActivityCommand.parse(base + ["--latency-users", "0"]) }
        #expect(throws: (any Error).self) { try ActivityCommand.parse(base + ["--verify", "later"]) }
        let settings = try ActivityCommand.parse(base + ["--latency-users", "500", "--verify", "after"]).settings()
        #expect(settings.latencyUsers == 20 && settings.verifyMode == .after && !settings.checkGlobal)
        #expect(LatencySample.userIDs(source: "s", users: 3, count: 50) == ["s-u000000", "s-u000001", "s-u000002"])
    }
}
