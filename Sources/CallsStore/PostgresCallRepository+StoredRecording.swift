import CallsCore
import Foundation
import PostgresNIO

extension PostgresCallRepository {
    public func storedRecording(_ lookup: RecordingLookup) async throws -> StoredRecording? {
        let columns = """
            c.id, c.tags, r.storage_key, r.id, r.filename, r.format, r.size_bytes, r.sha256, r.sample_rate, r.channels,
            r.original_kept, a.status, a.error, a.storage_key, a.size_bytes, a.sha256
            FROM recordings r JOIN calls c ON c.id = r.call_id
            LEFT JOIN recording_archives a ON a.recording_id = r.id
            """
        let rows: QueryRows
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
            let cells = row.makeRandomAccess()
            let archiveStatus = try cells[11].decode(String?.self).flatMap(RecordingArchive.Status.init(rawValue:))
            let archive =
                archiveStatus == .done
                ? StoredArchive(
                    storageKey: try cells[13].decode(String.self), sizeBytes: try cells[14].decode(Int64.self),
                    sha256: try cells[15].decode(String.self))
                : nil
            found = StoredRecording(
                callID: callID, tags: tags,
                recording: Recording(
                    id: id, filename: filename, format: AudioFormat(rawValue: format) ?? .other, sizeBytes: size,
                    sha256: sha256, sampleRate: sampleRate, channels: channels,
                    originalAvailable: try cells[10].decode(Bool.self),
                    archive: try archiveStatus.map { RecordingArchive(status: $0, error: try cells[12].decode(String?.self)) }),
                storageKey: key, archive: archive)
        }
        return found
    }
}
