@testable import Activity
import CPUBoundTesting
import CallsCore
import Foundation
import Testing

/// The one-pass reader against the Codable reader it replaced (`CodableActivityEventReader`), on the same
/// seeded items: both must give the same event or the same refusal. The one difference allowed is the one
/// `ActivityEventReader` documents: it refuses as "not a JSON object" an item that is no RFC 8259 JSON
/// (judged by `RFC8259Grammar`) where the old reader let the offending part pass unread.
@Suite(.cpuBound) struct ActivityEventReaderDifferentialTests {
    let now = Timestamp.parse("2025-10-21T00:00:00Z")!
    var window: ActivityTimeWindow { ActivityTimeWindow(now: now, retentionMonths: 13) }

    enum Outcome: Equatable, CustomStringConvertible {
        case event(ActivityEvent, scalars: [[UInt32]])
        case refused(String)

        init(_ result: Result<ActivityEvent, ActivityEventJSON.Refusal>) {
            switch result {
            case .success(let event):
                // `String` equality is canonical equivalence; the ids must match scalar for scalar.
                let texts = [event.sourceID, event.eventID, event.userID, event.meta ?? ""]
                self = .event(event, scalars: texts.map { $0.unicodeScalars.map(\.value) })
            case .failure(let refusal):
                self = .refused(refusal.reason)
            }
        }

        var description: String {
            switch self {
            case .event(let event, _): "event \(event)"
            case .refused(let reason): "refused: \(reason)"
            }
        }
    }

    /// Compares the two readers on `item`; the message of a difference not allowed, nil when they agree.
    func difference(_ item: [UInt8]) -> String? {
        let new = Outcome(ActivityEventJSON.event(item[...], receivedAt: now, window: window))
        let old = Outcome(CodableActivityEventReader.event(item[...], receivedAt: now, window: window))
        if new == old { return nil }
        if new == .refused("not a JSON object"), !RFC8259Grammar.isJSON(item[...]) { return nil }
        return "\(String(decoding: item, as: UTF8.self).debugDescription) \(item): new \(new), old \(old)"
    }

    @Test func agreesWithTheCodableReaderOnGeneratedItems() {
        var random = SeededGenerator(state: 18)
        var differences: [String] = []
        var accepted = 0
        for _ in 0..<3000 {
            let item = EventItemGenerator.item(&random)
            if let difference = difference(item) { differences.append(difference) }
            if case .success(let event) = ActivityEventJSON.event(item[...], receivedAt: now, window: window) {
                accepted += 1
                // What the API takes must travel the stream: a payload the consumers cannot read is an event lost.
                if ActivityEvent(payload: event.payload) != event { differences.append("\(event) does not survive its payload") }
            }
        }
        #expect(differences.isEmpty, "\(differences.count) differences, first: \(differences.prefix(5))")
        // The generator must reach both ends: events taken and events refused.
        #expect(accepted > 300 && accepted < 2700, "\(accepted) of 3000 accepted")
    }

    @Test func agreesWithTheCodableReaderOnMutatedItems() {
        var random = SeededGenerator(state: 1818)
        var differences: [String] = []
        for _ in 0..<3000 {
            let item = EventItemGenerator.mutated(EventItemGenerator.item(&random), &random)
            if let difference = difference(item) { differences.append(difference) }
        }
        #expect(differences.isEmpty, "\(differences.count) differences, first: \(differences.prefix(5))")
    }
}
