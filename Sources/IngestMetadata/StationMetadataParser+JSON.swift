import CallsCore
import Foundation

extension StationMetadataParser {
    /// `<name>.json`: `{"caller": s, "receiver": s, "started_at": RFC 3339 with a zone, "tags": [s]?,
    /// "ended_at": RFC 3339?, "direction": "inbound"|"outbound"|"internal"?}`. Unknown members are ignored; an
    /// optional member given as `null` counts as absent. `externalID`, `answeredAt`, the durations and
    /// `recordingReference` are nil: the recording is the `.wav`/`.mp3` beside the file.
    public static func parseJSON(_ bytes: [UInt8]) throws(MetadataRefusal) -> StationCallMetadata {
        guard bytes.count <= maximumBytes else { throw oversize(atLeast: bytes.count, format: "JSON") }
        guard case .object(let members) = try JSONReader.read(bytes) else {
            throw MetadataRefusal("the JSON metadata must be an object")
        }

        func string(_ field: String, required: Bool) throws(MetadataRefusal) -> String? {
            switch members[field] {
            case .string(let value): return value
            case nil, .null?:
                if required { throw MetadataRefusal("\(field) is required") }
                return nil
            case let other?: throw MetadataRefusal("\(field) must be a string, not \(other.typeName)")
            }
        }
        func timestamp(_ field: String, required: Bool) throws(MetadataRefusal) -> Date? {
            guard let text = try string(field, required: required) else { return nil }
            guard let date = Timestamp.parse(text) else {
                throw MetadataRefusal("\(field) must be an RFC 3339 timestamp with a time zone, e.g. 2026-11-21T09:30:00Z")
            }
            return date
        }

        let caller = try party(string("caller", required: true) ?? "", field: "caller")
        let receiver = try party(string("receiver", required: true) ?? "", field: "receiver")
        guard let startedAt = try timestamp("started_at", required: true) else { throw MetadataRefusal("started_at is required") }
        let endedAt = try timestamp("ended_at", required: false)
        try checkTimeline(startedAt: startedAt, answeredAt: nil, endedAt: endedAt, names: ("started_at", "", "ended_at"))

        var direction: String?
        if let text = try string("direction", required: false) {
            guard StationCallMetadata.directions.contains(text) else {
                throw MetadataRefusal("direction must be one of inbound, outbound, internal, not \"\(text.prefix(40))\"")
            }
            direction = text
        }

        var tags: [String] = []
        switch members["tags"] {
        case nil, .null?: break
        case .array(let elements)?:
            for (index, element) in elements.enumerated() {
                guard case .string(let tag) = element else {
                    throw MetadataRefusal("tags[\(index)] must be a string, not \(element.typeName)")
                }
                tags.append(tag)
            }
        case let other?: throw MetadataRefusal("tags must be an array of strings, not \(other.typeName)")
        }

        return StationCallMetadata(
            caller: caller, receiver: receiver, startedAt: startedAt, endedAt: endedAt, direction: direction, tags: tags)
    }
}
