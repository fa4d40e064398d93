import Crypto
import Foundation

/// The text form of a journal line: the first 8 hex digits of the SHA-256 of the JSON that follows, a space,
/// the JSON, a newline. A line whose checksum does not match was torn by a crash in the middle of a write.
enum JournalLine {
    private struct Fields: Codable {
        var event: String
        var key: String
        var station: String?
        var file: String?
        var metadataSHA256: String?
        var callID: String?

        enum CodingKeys: String, CodingKey {
            case event, key, station, file
            case metadataSHA256 = "metadata_sha256"
            case callID = "call_id"
        }
    }

    static func encode(_ event: JournalEvent) -> [UInt8] {
        var fields = Fields(event: "", key: event.key)
        switch event {
        case .taken(_, let station, let file, let sha):
            fields.event = "taken"
            fields.station = station
            fields.file = file
            fields.metadataSHA256 = sha
        case .created(_, let callID):
            fields.event = "created"
            fields.callID = callID
        case .uploaded:
            fields.event = "uploaded"
        case .finished(_, let outcome):
            fields.event = "finished_" + outcome.rawValue
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain strings cannot fail.
        let json = Array((try? encoder.encode(fields)) ?? Data())
        return Array(checksum(json).utf8) + [UInt8(ascii: " ")] + json + [UInt8(ascii: "\n")]
    }

    /// Nil for a line that is torn or not a journal line (without its newline).
    static func decode(_ line: ArraySlice<UInt8>) -> JournalEvent? {
        guard line.count > 9, line[line.startIndex + 8] == UInt8(ascii: " ") else { return nil }
        let json = line[(line.startIndex + 9)...]
        guard String(decoding: line.prefix(8), as: UTF8.self) == checksum(json),
            let fields = try? JSONDecoder().decode(Fields.self, from: Data(json))
        else { return nil }
        switch fields.event {
        case "taken":
            guard let station = fields.station, let file = fields.file, let sha = fields.metadataSHA256 else { return nil }
            return .taken(key: fields.key, station: station, file: file, metadataSHA256: sha)
        case "created":
            return fields.callID.map { .created(key: fields.key, callID: $0) }
        case "uploaded": return .uploaded(key: fields.key)
        case "finished_done": return .finished(key: fields.key, .done)
        case "finished_failed": return .finished(key: fields.key, .failed)
        default: return nil
        }
    }

    private static func checksum<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        SHA256.hash(data: Array(bytes)).prefix(4).map { String(format: "%02x", $0) }.joined()
    }
}
