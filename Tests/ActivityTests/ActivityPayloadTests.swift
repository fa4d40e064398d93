import Activity
import CallsCore
import Foundation
import Testing

@Suite struct ActivityPayloadTests {
    @Test func anEventReadsBackFromItsPayloadExactly() {
        let events = [
            ActivityEvent(
                sourceID: "provider-1", eventID: "e-1", userID: "u|1", type: .data,
                startedAt: Timestamp.parse("2025-10-20T12:34:56.123456Z")!, endedAt: Timestamp.parse("2025-10-20T12:35:00Z")!,
                durationSeconds: 4, bytesUp: 1 << 40, bytesDown: 7, meta: #"{"note":"a\u001fb","x":[1,2]}"#,
                receivedAt: Date(timeIntervalSince1970: 1_761_000_000.654321)),
            ActivityEvent(
                sourceID: "p", eventID: "e", userID: "u", type: .smsReceived, startedAt: Date(timeIntervalSince1970: 0),
                receivedAt: Date(timeIntervalSince1970: 1)),
        ]
        for event in events {
            #expect(ActivityEvent(payload: event.payload) == event)
        }
    }

    @Test func textThatIsNoPayloadReadsAsNil() {
        #expect(ActivityEvent(payload: "") == nil)
        #expect(ActivityEvent(payload: "a1\u{1F}s") == nil)
        #expect(ActivityEvent(payload: "{\"event_id\":1}") == nil)
    }

    @Test func idsOutsideASCIIKeepTheirBytes() {
        let event = ActivityEvent(
            sourceID: "provider-\u{E9}", eventID: "cafe\u{301}", userID: "\u{1F4DE}-\u{4E2D}", type: .callIn,
            startedAt: Date(timeIntervalSince1970: -86_400.5), endedAt: Date(timeIntervalSince1970: -1),
            durationSeconds: Int64.max, bytesUp: 0, bytesDown: 1, meta: #"{"k":"\u001f\u00e9"}"#, receivedAt: Date(timeIntervalSince1970: 2)
        )
        let read = ActivityEvent(payload: event.payload)
        #expect(read == event)
        #expect(read.map { Array($0.eventID.utf8) } == Array("cafe\u{301}".utf8))
    }

    /// Each field of a well-formed payload, broken one way at a time: every one is refused.
    @Test func aBrokenFieldReadsAsNil() throws {
        let event = ActivityEvent(
            sourceID: "p", eventID: "e", userID: "u", type: .data, startedAt: Date(timeIntervalSince1970: 10),
            endedAt: Date(timeIntervalSince1970: 11), durationSeconds: 1, bytesUp: 2, bytesDown: 3, meta: "{}",
            receivedAt: Date(timeIntervalSince1970: 12))
        let fields = event.payload.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        #expect(fields.count == 12)
        let broken: [(field: Int, value: String)] = [
            (0, "a2"), (4, "CALL"), (5, ""), (5, "+1"), (5, "1a"), (5, "-"), (5, "9223372036854775808"), (6, "x"),
            (7, "1.0"), (8, " 2"), (9, "0x3"), (10, "-9223372036854775809"),
        ]
        for (field, value) in broken {
            var changed = fields
            changed[field] = value
            #expect(ActivityEvent(payload: changed.joined(separator: "\u{1F}")) == nil, "field \(field) = '\(value)'")
        }
        #expect(ActivityEvent(payload: fields.dropLast().joined(separator: "\u{1F}")) == nil)
    }

    @Test func numbersAtTheEdgesOf64BitsReadBack() {
        for micros: Int64 in [-(1 << 53), -1, 0, 1, 1 << 53] {
            let payload = ["a1", "p", "e", "u", "DATA", String(micros), "", "0", "0", "0", "0", ""].joined(separator: "\u{1F}")
            #expect(ActivityEvent(payload: payload).map { Microseconds.of($0.startedAt) } == micros, "\(micros)")
        }
        // Instants no `Date` holds to the microsecond: a damaged entry, refused instead of trapping.
        for micros: Int64 in [Int64.min, -(1 << 53) - 1, (1 << 53) + 1, Int64.max] {
            for field in [5, 6, 10] {
                var fields = ["a1", "p", "e", "u", "DATA", "0", "", "0", "0", "0", "0", ""]
                fields[field] = String(micros)
                #expect(ActivityEvent(payload: fields.joined(separator: "\u{1F}")) == nil, "field \(field) = \(micros)")
            }
        }
        let minimum = ["a1", "p", "e", "u", "DATA", "0", "", "-9223372036854775808", "0", "0", "0", ""].joined(separator: "\u{1F}")
        #expect(ActivityEvent(payload: minimum)?.durationSeconds == Int64.min)
    }

    @Test func partitionsAreStableAndSpread() {
        let partitioner = ActivityPartitioner(partitions: 8)
        // FNV-1a 64 of "123456789" is 0x06d5573923c6cdfc: the same on every node and in every release.
        #expect(partitioner.partition(ofUser: "123456789") == Int(0x06d5_5739_23c6_cdfc % 8))
        var counts = [Int](repeating: 0, count: 8)
        for user in 0..<8000 { counts[partitioner.partition(ofUser: String(100_000_000 + user))] += 1 }
        #expect(counts.allSatisfy { (800...1200).contains($0) }, "\(counts)")
    }

    @Test func theWindowStartsAtTheOldestMonthKept() {
        let window = ActivityTimeWindow(now: Timestamp.parse("2026-01-15T10:00:00Z")!, retentionMonths: 13)
        #expect(window.earliest == Timestamp.parse("2025-01-01T00:00:00Z"))
        #expect(window.latest == Timestamp.parse("2026-01-16T10:00:00Z"))
    }
}

@Suite struct ActivityKeyTests {
    /// PostgreSQL compares bytes: ids that Swift calls equal ("é" composed and decomposed) are two events.
    @Test func keysCompareByTheirBytes() {
        let composed = ActivityEvent.Key(sourceID: "p", eventID: "caf\u{E9}")
        let decomposed = ActivityEvent.Key(sourceID: "p", eventID: "cafe\u{301}")
        #expect(composed != decomposed)
        #expect(Set([composed, decomposed, composed]).count == 2)
        #expect(ActivityEvent.Key(sourceID: "ab", eventID: "c") != ActivityEvent.Key(sourceID: "a", eventID: "bc"))
    }
}
