import Foundation
import StationIngest

/// Reads `<name>.json` beside `<name>.wav` with Foundation's decoder, until the station parsers are merged.
struct FixtureJSONReader: PairReader {
    var maximumMetadataBytes: Int { 1 << 20 }

    func isMetadataFile(_ fileName: String) -> Bool { fileName.hasSuffix(".json") }

    func read(metadataPath: String, bytes: [UInt8], fileExists: (String) -> Bool) -> PairReading {
        struct Metadata: Decodable {
            var caller: String
            var receiver: String
            var started_at: Date
            var tags: [String]?
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let metadata = try? decoder.decode(Metadata.self, from: Data(bytes)) else {
            return .refused(reason: "caller, receiver or started_at is missing or malformed")
        }
        let recording = String(metadataPath.dropLast(5)) + ".wav"
        guard fileExists(recording) else { return .waitingForRecording }
        return .ready(
            CallFields(caller: metadata.caller, receiver: metadata.receiver, startedAt: metadata.started_at, tags: metadata.tags ?? []),
            recording: recording)
    }
}
