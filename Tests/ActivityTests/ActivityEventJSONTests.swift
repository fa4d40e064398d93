import Activity
import CallsCore
import Foundation
import Testing

@Suite struct ActivityEventJSONTests {
    let now = Timestamp.parse("2025-10-21T00:00:00Z")!
    var window: ActivityTimeWindow { ActivityTimeWindow(now: now, retentionMonths: 13) }

    static var valid: [String: Any] {
        [
            "event_id": "7f0e4c1a-1111-4c3e-9d5e-000000000001", "source_id": "provider-1", "user_id": "123456789",
            "type": "CALL_OUT", "started_at": "2025-10-20T12:34:56Z", "ended_at": "2025-10-20T12:56:00Z", "duration_sec": 127,
            "bytes_up": 0, "bytes_down": 0, "meta": ["cell": "A1"],
        ]
    }

    func body(_ objects: [[String: Any]]) -> [UInt8] {
        Array(try! JSONSerialization.data(withJSONObject: objects))
    }

    func reason(_ change: (inout [String: Any]) -> Void) throws -> String? {
        var object = Self.valid
        change(&object)
        let parsed = try ActivityEventJSON.parse(body([object]), now: now, window: window)
        return parsed.rejections.first?.reason
    }

    @Test func readsTheIssuesExample() throws {
        let parsed = try ActivityEventJSON.parse(body([Self.valid]), now: now, window: window)
        #expect(parsed.rejections.isEmpty)
        let event = try #require(parsed.events.first)
        #expect(event.sourceID == "provider-1")
        #expect(event.eventID == "7f0e4c1a-1111-4c3e-9d5e-000000000001")
        #expect(event.userID == "123456789")
        #expect(event.type == .callOut)
        #expect(event.startedAt == Timestamp.parse("2025-10-20T12:34:56Z"))
        #expect(event.endedAt == Timestamp.parse("2025-10-20T12:56:00Z"))
        #expect(event.durationSeconds == 127)
        #expect(event.meta == #"{"cell":"A1"}"#)
        #expect(event.receivedAt == now)
    }

    @Test func countersAndMetaAndEndAreOptional() throws {
        let object: [String: Any] = [
            "event_id": "e", "source_id": "s", "user_id": "u", "type": "SMS_SENT", "started_at": "2025-10-20T12:00:00.123456Z",
            "ended_at": NSNull(), "meta": NSNull(),
        ]
        let event = try #require(try ActivityEventJSON.parse(body([object]), now: now, window: window).events.first)
        #expect(event.durationSeconds == 0 && event.bytesUp == 0 && event.bytesDown == 0)
        #expect(event.meta == nil && event.endedAt == nil)
        #expect(Microseconds.of(event.startedAt) % 1_000_000 == 123_456)
    }

    @Test func refusesEveryBrokenRuleWithItsReason() throws {
        #expect(try reason { $0["type"] = "FAX" }?.contains("'type' must be one of") == true)
        #expect(try reason { $0["type"] = nil } == "'type' is missing")
        #expect(try reason { $0["user_id"] = "" } == "'user_id' is empty")
        #expect(try reason { $0["user_id"] = nil } == "'user_id' is missing")
        #expect(try reason { $0["user_id"] = String(repeating: "9", count: 65) } == "'user_id' is longer than 64 bytes")
        // 64 characters but 64 × 41 bytes: a letter with 40 combining marks each.
        #expect(
            try reason { $0["user_id"] = String(repeating: "a" + String(repeating: "\u{301}", count: 40), count: 64) }
                == "'user_id' is longer than 64 bytes")
        #expect(try reason { $0["duration_sec"] = 366 * 86_400 + 1 } == "'duration_sec' is larger than 31622400")
        #expect(try reason { $0["bytes_up"] = Int64.max } == "'bytes_up' is larger than 1125899906842624")
        #expect(try reason { $0["bytes_down"] = 1 << 50 } == nil)
        #expect(try reason { $0["user_id"] = 123 } == "'user_id' must be a string")
        #expect(try reason { $0["user_id"] = "12\u{0}3" } == "'user_id' holds a control character")
        #expect(try reason { $0["event_id"] = nil } == "'event_id' is missing")
        #expect(try reason { $0["source_id"] = "" } == "'source_id' is empty")
        #expect(try reason { $0["started_at"] = nil } == "'started_at' is missing")
        #expect(try reason { $0["started_at"] = "yesterday" } == "'started_at' is not an RFC 3339 time")
        #expect(try reason { $0["ended_at"] = "2025-10-20T12:00:00Z" } == "'ended_at' is before 'started_at'")
        // An end beyond a year and a day after the start, up to one no stream payload could carry: refused, not lost.
        #expect(try reason { $0["ended_at"] = "2026-10-21T12:34:56Z" } == nil)
        for ended in ["2026-10-21T12:34:56.000001Z", "9999-12-31T23:59:59Z"] {
            #expect(try reason { $0["ended_at"] = ended } == "'ended_at' is more than 31622400 seconds after 'started_at'")
        }
        #expect(try reason { $0["ended_at"] = "soon" } == "'ended_at' is not an RFC 3339 time")
        #expect(try reason { $0["duration_sec"] = -1 } == "'duration_sec' must not be negative")
        #expect(try reason { $0["bytes_up"] = -5 } == "'bytes_up' must not be negative")
        #expect(try reason { $0["bytes_down"] = -5 } == "'bytes_down' must not be negative")
        #expect(try reason { $0["bytes_down"] = "5" } == "'bytes_down' must be a whole number")
        #expect(try reason { $0["duration_sec"] = 1.5 } == "'duration_sec' must be a whole number")
        #expect(try reason { $0["meta"] = [1, 2] } == "'meta' must be an object")
        #expect(try reason { $0["meta"] = "cell A1" } == "'meta' must be an object")
        #expect(try reason { $0["meta"] = ["blob": String(repeating: "x", count: 4100)] } == "'meta' is larger than 4096 bytes")
        #expect(try reason { $0["meta"] = ["cell": "A\u{0}1"] } == "'meta' holds a NUL character")
        var deep: Any = 1
        for _ in 0..<70 { deep = [deep] }
        let nested = deep
        #expect(try reason { $0["meta"] = ["depth": nested] } == "'meta' nests deeper than 64 levels")
        #expect(try reason { $0["started_at"] = "2024-01-31T23:59:59Z" }?.contains("older than the months of events kept") == true)
        #expect(
            try reason {
                $0["started_at"] = "2025-10-23T00:00:00Z"
                $0["ended_at"] = nil
            }?.contains("ahead of the server's clock") == true)
        // At the edges of what is kept: the first instant of the oldest month kept is taken.
        #expect(
            try reason {
                $0["started_at"] = "2024-10-01T00:00:00Z"
                $0["ended_at"] = nil
            } == nil)
        #expect(try reason { $0["meta"] = ["blob": String(repeating: "x", count: 4000)] } == nil)
    }

    @Test func halfInvalidBatchKeepsTheValidHalfAndNamesTheOthersByIndex() throws {
        var objects: [[String: Any]] = []
        for index in 0..<10 {
            var object = Self.valid
            object["event_id"] = "e\(index)"
            if index.isMultiple(of: 2) { object["type"] = "NOPE" }
            objects.append(object)
        }
        let parsed = try ActivityEventJSON.parse(body(objects), now: now, window: window)
        #expect(parsed.events.map(\.eventID) == ["e1", "e3", "e5", "e7", "e9"])
        #expect(parsed.rejections.map(\.index) == [0, 2, 4, 6, 8])
    }

    @Test func readsNDJSONAndRefusesANonObjectLine() throws {
        let line = String(decoding: try JSONSerialization.data(withJSONObject: Self.valid), as: UTF8.self)
        let text = line + "\n\nnot json\n[1]\n" + line + "\n"
        let parsed = try ActivityEventJSON.parse(Array(text.utf8), now: now, window: window)
        #expect(parsed.events.count == 2)
        #expect(parsed.rejections == [.init(index: 2, reason: "not a JSON object"), .init(index: 3, reason: "not a JSON object")])
    }

    @Test func aBodyThatIsNotJSONItemsIsRefusedWhole() {
        #expect(throws: JSONBodyItems.BodyError.self) { try ActivityEventJSON.parse(Array("[{".utf8), now: now, window: window) }
        #expect(throws: JSONBodyItems.BodyError.self) { try ActivityEventJSON.parse([0x5B, 0, 0x5D], now: now, window: window) }
    }

    @Test func refusesAnOversizedItemWithoutDecodingIt() throws {
        var object = Self.valid
        object["padding"] = String(repeating: "p", count: 70_000)
        let parsed = try ActivityEventJSON.parse(body([object, Self.valid]), now: now, window: window)
        #expect(parsed.rejections.map(\.index) == [0])
        #expect(parsed.events.count == 1)
    }
}
