import CallsCore
import Foundation
import PostgresNIO

extension PostgresCallRepository {
    public func storedRecording(_ lookup: RecordingLookup) async throws -> StoredRecording? {
        let columns = """
            c.id, c.tags, r.storage_key, r.id, r.filename, r.format, r.size_bytes, r.sha256, r.sample_rate, r.channels
            FROM recordings r JOIN calls c ON c.id = r.call_id
            """
        let rows: PostgresRowSequence
        switch lookup {
        case .call(let id):
            rows = try await client.query("SELECT \(unescaped: columns) WHERE r.call_id = \(id)", logger: logger)
        case .recording(let id):
            rows = try await client.query("SELECT \(unescaped: columns) WHERE r.id = \(id)", logger: logger)
        }
        var found: StoredRecording?
        for try await row in rows {
            let (callID, tags, key, id, filename, format, size, sha256, sampleRate, channels) = try row.decode(
                (UUID, [String], String, UUID, String, String, Int64, String, Int, Int).self)
            found = StoredRecording(
                callID: callID, tags: tags,
                recording: Recording(
                    id: id, filename: filename, format: AudioFormat(rawValue: format) ?? .other, sizeBytes: size,
                    sha256: sha256, sampleRate: sampleRate, channels: channels),
                storageKey: key)
        }
        return found
    }
}
