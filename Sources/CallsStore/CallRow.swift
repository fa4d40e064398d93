import CallsCore
import Foundation
import PostgresNIO

/// The one SELECT list that turns a `calls` row joined with its recording into a `Call`.
enum CallRow {
    static let source = "calls c \(recordingJoins)"
    /// What follows a `calls c` (or a CTE named `c`) in every query that decodes with `columns`.
    static let recordingJoins = "LEFT JOIN recordings r ON r.call_id = c.id LEFT JOIN recording_archives a ON a.recording_id = r.id"

    static let columns = """
        c.id, c.caller, c.receiver, c.started_at, c.status, c.tags, c.error, c.created_at, c.updated_at, \
        r.id, r.filename, r.format, r.size_bytes, r.sha256, r.sample_rate, r.channels, r.duration_ms, \
        r.silence_marks::text, r.transcription, r.analysis::text, r.original_kept, \
        a.status, a.bitrate_kbps, a.bitrate_mode, a.size_bytes, a.sha256, a.error, a.updated_at, \
        c.callback_url, c.callback_status, c.callback_attempts, c.callback_error, \
        c.source, c.external_id, c.direction, c.ended_at, c.scenario_id, c.media_record_id, c.context::text, \
        c.station_name, c.station_call_id, c.station_direction, c.station_answered_at, c.station_ended_at, \
        c.station_hangup_cause, c.station_duration_sec, c.station_billable_sec
        """

    /// How many columns `columns` holds; a query may add its own after them.
    static let columnCount = 47

    static func decodeAll(_ rows: QueryRows) async throws -> [Call] {
        var calls: [Call] = []
        for try await row in rows {
            calls.append(try decode(row))
        }
        return calls
    }

    static func decode(_ row: PostgresRow) throws -> Call {
        let cells = row.makeRandomAccess()
        let statusText = try cells[4].decode(String.self)
        guard let status = CallStatus(rawValue: statusText) else {
            throw PostgresStoreError("unknown call status '\(statusText)'")
        }
        var call = Call(
            id: try cells[0].decode(UUID.self),
            caller: try cells[1].decode(String.self),
            receiver: try cells[2].decode(String.self),
            startedAt: try cells[3].decode(Date.self),
            status: status,
            tags: try cells[5].decode([String].self),
            createdAt: try cells[7].decode(Date.self),
            updatedAt: try cells[8].decode(Date.self),
            error: try cells[6].decode(String?.self),
            callback: try cells[28].decode(String?.self).map { url in
                CallbackState(
                    url: url, status: try cells[29].decode(String?.self).flatMap(CallbackState.Status.init(rawValue:)),
                    attempts: try cells[30].decode(Int.self), error: try cells[31].decode(String?.self))
            },
            origin: try decodeOrigin(cells),
            station: try decodeStation(cells)
        )
        if let recordingID = try cells[9].decode(UUID?.self) {
            let formatText = try cells[11].decode(String.self)
            call.recording = Recording(
                id: recordingID,
                filename: try cells[10].decode(String.self),
                format: AudioFormat(rawValue: formatText) ?? .other,
                sizeBytes: try cells[12].decode(Int64.self),
                sha256: try cells[13].decode(String.self),
                sampleRate: try cells[14].decode(Int.self),
                channels: try cells[15].decode(Int.self),
                durationSec: try cells[16].decode(Int64?.self).map(\.seconds),
                silenceMarks: try cells[17].decode(String?.self).map { try JSONCoding.decode([SilenceMark].self, from: $0) },
                transcription: try cells[18].decode(String?.self),
                analysis: try cells[19].decode(String?.self).map { try JSONCoding.decode(CallAnalysis.self, from: $0) },
                originalAvailable: try cells[20].decode(Bool.self),
                archive: try decodeArchive(cells)
            )
        }
        return call
    }

    /// The origin's own columns; `CallOriginDetails` adds legs, events and operator.
    private static func decodeOrigin(_ cells: PostgresRandomAccessRow) throws -> CallOrigin? {
        guard let source = try cells[32].decode(String?.self), let externalID = try cells[33].decode(Int64?.self) else { return nil }
        return CallOrigin(
            source: source, externalID: externalID, direction: try cells[34].decode(String?.self),
            endedAt: try cells[35].decode(Date?.self), scenarioID: try cells[36].decode(String?.self),
            mediaRecordID: try cells[37].decode(String?.self),
            context: try cells[38].decode(String?.self).map { try JSONValue.parse($0) })
    }

    private static func decodeStation(_ cells: PostgresRandomAccessRow) throws -> StationFacts? {
        guard let name = try cells[39].decode(String?.self) else { return nil }
        return StationFacts(
            name: name, callID: try cells[40].decode(String?.self), direction: try cells[41].decode(String?.self),
            answeredAt: try cells[42].decode(Date?.self), endedAt: try cells[43].decode(Date?.self),
            hangupCause: try cells[44].decode(String?.self), durationSec: try cells[45].decode(Int?.self),
            billableSec: try cells[46].decode(Int?.self))
    }

    private static func decodeArchive(_ cells: PostgresRandomAccessRow) throws -> RecordingArchive? {
        guard let statusText = try cells[21].decode(String?.self) else { return nil }
        guard let status = RecordingArchive.Status(rawValue: statusText) else {
            throw PostgresStoreError("unknown archive status '\(statusText)'")
        }
        return RecordingArchive(
            status: status,
            bitrateKbps: try cells[22].decode(Int?.self),
            bitrateMode: try cells[23].decode(String?.self).flatMap(MP3Encoding.Mode.init(rawValue:)),
            sizeBytes: try cells[24].decode(Int64?.self),
            sha256: try cells[25].decode(String?.self),
            error: try cells[26].decode(String?.self),
            archivedAt: status == .done ? try cells[27].decode(Date.self) : nil)
    }
}
