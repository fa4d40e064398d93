import CallsCore
import Foundation
import Testing

@Suite struct SourceItemValidationTests {
    static let call: [String: SourceJSON] = [
        "call_id": .integer(7), "call_type": .string("inbound"), "scenario_id": .string("sc-1"),
        "initiator_phone": .string("+7 900 123-45-67"), "media_record_id": .integer(99),
        "initiated_at": .string("2025-11-30T10:00:00Z"), "finished_at": .string("2025-11-30T11:05:30.500+01:00"),
        "context": .object(["lang": .string("ru")]),
    ]

    func validate(_ object: [String: SourceJSON], _ collection: SourceCollection) -> Result<SourceItem, SourceItemValidation.Failure> {
        SourceItemValidation.validate(.object(object), collection: collection)
    }

    func reason(_ object: [String: SourceJSON], _ collection: SourceCollection) -> String? {
        if case .failure(let failure) = validate(object, collection) { return failure.reason }
        return nil
    }

    @Test func aGoodCallIsTakenWithEveryField() throws {
        guard case .success(.call(let call)) = validate(Self.call, .calls) else {
            Issue.record("refused")
            return
        }
        #expect(call.callID == 7)
        #expect(call.callType == "inbound")
        #expect(call.scenarioID == "sc-1")
        #expect(call.mediaRecordID == "99")
        #expect(call.initiatedAt == Date(timeIntervalSince1970: 1_764_496_800))
        #expect(call.finishedAt == Date(timeIntervalSince1970: 1_764_496_800 + 330.5))
        #expect(call.context == #"{"lang":"ru"}"#)
    }

    @Test func aCallStillGoingHasNoEnd() throws {
        var object = Self.call
        object["finished_at"] = .null
        object["context"] = nil
        object["media_record_id"] = nil
        guard case .success(.call(let call)) = validate(object, .calls) else {
            Issue.record("refused")
            return
        }
        #expect(call.finishedAt == nil && call.context == nil && call.mediaRecordID == nil)
    }

    @Test(arguments: [
        ("call_id", SourceJSON.string("7"), "call_id is missing or not an integer"),
        ("call_type", .string("internal"), "neither 'inbound' nor 'outbound'"),
        ("call_type", .null, "call_type is missing"),
        ("initiator_phone", .integer(79_001_234_567), "initiator_phone is not a string"),
        ("initiator_phone", .string(String(repeating: "1", count: 256)), "longer than 255"),
        ("initiated_at", .string("yesterday"), "initiated_at is not an RFC 3339 time"),
        ("initiated_at", .string("2026-11-30 10:00"), "initiated_at is not an RFC 3339 time"),
        ("finished_at", .string("2025-11-30T09:59:59Z"), "finished_at is before initiated_at"),
        ("finished_at", .integer(1), "finished_at is not an RFC 3339 time"),
        ("context", .string("{}"), "context is not an object"),
        ("scenario_id", .bool(true), "scenario_id is not a string"),
    ])
    func badCallsAreRejectedWithTheReason(_ key: String, _ value: SourceJSON, _ expected: String) {
        var object = Self.call
        object[key] = value
        #expect(reason(object, .calls)?.contains(expected) == true, "\(reason(object, .calls) ?? "taken")")
    }

    @Test func legsEventsAndOperators() throws {
        let leg: [String: SourceJSON] = [
            "connection_id": .integer(1), "call_id": .integer(7), "phone": .string("+1 555"),
            "initiated_at": .string("2025-11-30T10:00:05Z"), "answered_at": .string("2025-11-30T10:00:15Z"), "finished_at": .null,
        ]
        guard case .success(.connection(let taken)) = validate(leg, .connections) else {
            Issue.record("leg refused")
            return
        }
        #expect(taken.answeredAt == Date(timeIntervalSince1970: 1_764_496_815) && taken.finishedAt == nil)
        var early = leg
        early["answered_at"] = .string("2025-11-30T10:00:00Z")
        #expect(reason(early, .connections) == "answered_at is before initiated_at")

        let assigned: [String: SourceJSON] = [
            "event_id": .integer(3), "call_id": .integer(7), "event_type": .string("operator_assigned"),
            "payload": .object(["operator_id": .integer(12), "name": .string("Ann")]),
        ]
        guard case .success(.event(let event)) = validate(assigned, .callEvents) else {
            Issue.record("event refused")
            return
        }
        #expect(event.operatorID == 12)
        var anonymous = assigned
        anonymous["payload"] = .object(["name": .string("Ann")])
        #expect(reason(anonymous, .callEvents)?.contains("payload.operator_id") == true)
        let hangup: [String: SourceJSON] = ["event_id": .integer(4), "call_id": .integer(7), "event_type": .string("hangup")]
        guard case .success(.event(let bare)) = validate(hangup, .callEvents) else {
            Issue.record("hangup refused")
            return
        }
        #expect(bare.payload == "{}" && bare.operatorID == nil)

        #expect(reason(["operator_id": .integer(1)], .operators) == "name is missing")
        #expect(reason(["operator_id": .integer(1), "name": .string("A"), "email": .integer(5)], .operators) == "email is not a string")
    }

    @Test func aBatchKeepsTheGoodAndRecordsTheBad() throws {
        var bad = Self.call
        bad["call_id"] = .integer(8)
        bad["call_type"] = .string("sideways")
        var good = Self.call
        good["call_id"] = .integer(9)
        let body = try JSONEncoder().encode(
            SourceJSON.object(["results": .array([.object(Self.call), .object(bad), .object(good)]), "next_cursor": .null]))
        let batch = SourceBatch(page: try SourcePage.parse(body, collection: .calls, cursor: 0, limit: 10), collection: .calls)
        #expect(batch.items.count == 2)
        #expect(batch.rejects.map(\.itemID) == [8])
        #expect(batch.rejects.first?.reason.contains("sideways") == true)
        #expect(batch.rejects.first?.item.contains(#""call_type":"sideways""#) == true)
        #expect(batch.cursorAfter == 9)
    }

    /// PostgreSQL stores U+0000 in neither text nor jsonb: such an item is rejected (not left to fail its
    /// page's transaction for ever), and what is kept of it can be stored.
    @Test(arguments: [
        ["initiator_phone": SourceJSON.string("+7\u{0}900")], ["context": .object(["note": .string("a\u{0}b")])],
        ["context": .object(["k\u{0}": .integer(1)])], ["context": .object(["list": .array([.string("\u{0}")])])],
    ])
    func anItemHoldingANULIsRejectedAndItsRecordIsStorable(_ change: [String: SourceJSON]) throws {
        var item = Self.call
        item.merge(change) { $1 }
        #expect(reason(item, .calls)?.contains("NUL") == true)
        let body = try JSONEncoder().encode(SourceJSON.object(["results": .array([.object(item)]), "next_cursor": .null]))
        let batch = SourceBatch(page: try SourcePage.parse(body, collection: .calls, cursor: 0, limit: 10), collection: .calls)
        #expect(batch.items.isEmpty && batch.rejects.map(\.itemID) == [7] && batch.cursorAfter == 7)
        let kept = try #require(batch.rejects.first?.item)
        #expect(!kept.contains("\\u0000") && !kept.unicodeScalars.contains("\u{0}") && kept.contains("\u{FFFD}"), "\(kept)")
        #expect(reason(Self.call, .calls) == nil)
    }

    @Test func aRejectedItemIsKeptUpToItsLimit() throws {
        let huge = SourceJSON.object(["context": .string(String(repeating: "x", count: 20_000))])
        let kept = huge.storableText(limit: SourceReject.maxItemBytes)
        #expect(kept.utf8.count <= SourceReject.maxItemBytes + 64)
        let parsed = try JSONDecoder().decode(SourceJSON.self, from: Data(kept.utf8))
        #expect(parsed.objectValue?["truncated"] == .bool(true))
        #expect(SourceJSON.object(["a": .integer(1)]).storableText(limit: 100) == #"{"a":1}"#)
    }
}
