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
