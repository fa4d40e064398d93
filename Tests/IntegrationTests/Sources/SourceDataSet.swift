import CallsCore
import CallsStore
import Foundation

/// A fixed data set for the fake source: sparse, increasing ids (paging must follow the ids, not count
/// items), legs and events of every call, and operators; optionally a few items that must be rejected.
enum SourceDataSet {
    static let callCount = 23

    static func time(_ seconds: Int) -> SourceJSON {
        .string(Timestamp.format(Date(timeIntervalSince1970: 1_764_496_800 + Double(seconds))))
    }

    static func make(withRejects: Bool = false) -> [SourceCollection: [SourceJSON]] {
        var calls: [SourceJSON] = []
        var legs: [SourceJSON] = []
        var events: [SourceJSON] = []
        var eventID: Int64 = 100
        for index in 0..<callCount {
            let callID = Int64(1000 + index * 3)
            let start = index * 600
            calls.append(
                .object([
                    "call_id": .integer(callID), "call_type": .string(index % 3 == 0 ? "outbound" : "inbound"),
                    "scenario_id": .string("scenario-\(index % 4)"), "initiator_phone": .string("+7 900 000-00-\(10 + index)"),
                    "media_record_id": index % 5 == 0 ? .null : .string("media-\(index)"), "initiated_at": time(start),
                    "finished_at": time(start + 120 + index), "context": .object(["index": .integer(Int64(index))]),
                ]))
            for leg in 0..<(index % 3) {
                legs.append(
                    .object([
                        "connection_id": .integer(Int64(5000 + legs.count * 2)), "call_id": .integer(callID),
                        "phone": .string("+1 555 01\(index)\(leg)"), "initiated_at": time(start + 5),
                        "answered_at": leg == 0 ? time(start + 15) : .null, "finished_at": time(start + 100),
                    ]))
            }
            for (type, payload) in [
                ("call_initiated", SourceJSON.object([:])),
                ("operator_assigned", .object(["operator_id": .integer(Int64(70 + index % 4)), "name": .string("op")])),
                ("call_finished", .object(["status": .string(index % 2 == 0 ? "resolved" : "unresolved")])),
            ] {
                eventID += Int64(1 + index % 2)
                events.append(
                    .object(["event_id": .integer(eventID), "call_id": .integer(callID), "event_type": .string(type), "payload": payload]))
            }
        }
        var operators: [SourceJSON] = (70..<74).map { id in
            .object([
                "operator_id": .integer(Int64(id)), "name": .string("Operator \(id)"), "extension": .string("\(id)0"),
                "email": .string("op\(id)@example.com"),
            ])
        }
        if withRejects {
            // Between good items, so the items after them must still be taken.
            calls.insert(
                .object([
                    "call_id": .integer(1001), "call_type": .string("sideways"), "scenario_id": .string("s"),
                    "initiator_phone": .string("1"), "initiated_at": time(0),
                ]), at: 1)
            calls.insert(
                .object([
                    "call_id": .integer(1004), "call_type": .string("inbound"), "scenario_id": .string("s"),
                    "initiator_phone": .string("1"), "initiated_at": time(100), "finished_at": time(50),
                ]), at: 3)
            operators.insert(.object(["operator_id": .integer(715), "name": .integer(3)]), at: 2)
            operators.sort { id($0, .operators) < id($1, .operators) }
        }
        return [.calls: calls, .connections: legs, .callEvents: events, .operators: operators]
    }

    static func id(_ item: SourceJSON, _ collection: SourceCollection) -> Int64 {
        if case .integer(let id)? = item.objectValue?[collection.idKey] { return id }
        return -1
    }

    /// The last id of every collection: where each cursor ends once everything is in.
    static func lastIDs(_ items: [SourceCollection: [SourceJSON]]) -> [SourceCollection: Int64] {
        Dictionary(uniqueKeysWithValues: items.map { collection, list in (collection, list.last.map { id($0, collection) } ?? 0) })
    }

    /// Whether every cursor of the store stands at its collection's last id: everything is in.
    static func allIn(_ items: [SourceCollection: [SourceJSON]], _ store: any SourceStatusReader) async throws -> Bool {
        let cursors = Dictionary(uniqueKeysWithValues: try await store.statuses().map { ($0.collection, $0.cursor) })
        return lastIDs(items).allSatisfy { cursors[$0.key.rawValue] == $0.value }
    }
}
