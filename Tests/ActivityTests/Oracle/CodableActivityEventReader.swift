@testable import Activity
import Foundation

/// The reader `ActivityEventReader` replaced, kept as the oracle of its differential test: Foundation's
/// `JSONDecoder` reads the fields, `JSONObjectMember` finds `meta`, `StrictJSON` checks it. One change: the
/// decoder skipped a UTF-8 byte order mark before the object but `JSONObjectMember` did not, so an item that
/// began with one lost its `meta` unseen; the new reader takes it, and here `JSONObjectMember` is given the
/// item without the mark.
struct CodableActivityEventReader: Decodable {
    typealias Field = ActivityEventWire.Field

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }

        init(_ field: Field) { stringValue = field.rawValue }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    var wire = ActivityEventWire()

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for field in [Field.eventID, .sourceID, .userID, .type, .startedAt, .endedAt] where wire.mistyped == nil {
            do {
                wire.strings[field] = try container.decodeIfPresent(String.self, forKey: Key(field))
            } catch {
                wire.mistyped = (field, "a string")
            }
        }
        for field in [Field.durationSeconds, .bytesUp, .bytesDown] where wire.mistyped == nil {
            do {
                wire.counters[field] = try container.decodeIfPresent(Int64.self, forKey: Key(field))
            } catch {
                wire.mistyped = (field, "a whole number")
            }
        }
    }

    static func event(
        _ item: ArraySlice<UInt8>, receivedAt: Date, window: ActivityTimeWindow
    ) -> Result<ActivityEvent, ActivityEventJSON.Refusal> {
        var wire: ActivityEventWire
        do {
            wire = try JSONDecoder().decode(Self.self, from: Data(item)).wire
        } catch {
            return .failure(.init(reason: "not a JSON object"))
        }
        let unmarked = item.starts(with: [0xEF, 0xBB, 0xBF]) ? item.dropFirst(3) : item
        wire.meta = JSONObjectMember.value(named: "meta", in: unmarked)
        wire.metaRefusal = wire.meta.flatMap(StrictJSON.checkObject)
        do {
            return .success(try wire.event(receivedAt: receivedAt, window: window))
        } catch {
            return .failure(error)
        }
    }
}
