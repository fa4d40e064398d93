import CallsCore
import CallsProto
import Foundation
import SwiftProtobuf

/// The API's values as gRPC messages. Field for field what REST's JSON says; the nested objects REST shapes
/// freely (an imported call's `origin`, the analysis) travel as `google.protobuf.Struct` made from that very
/// JSON, so the two transports cannot drift apart.
extension Calls_V1_Call {
    init(_ call: Call) throws {
        self.init()
        id = call.id.lowercasedString
        caller = call.caller
        receiver = call.receiver
        startedAt = Google_Protobuf_Timestamp(date: call.startedAt)
        status = Calls_V1_CallStatus(call.status)
        tags = call.tags
        createdAt = Google_Protobuf_Timestamp(date: call.createdAt)
        updatedAt = Google_Protobuf_Timestamp(date: call.updatedAt)
        if let error = call.error { self.error = error }
        if let recording = call.recording { self.recording = try Calls_V1_Recording(recording) }
        if let callback = call.callback { self.callback = Calls_V1_Callback(callback) }
        if let origin = call.origin { self.origin = try Google_Protobuf_Struct(encoding: origin) }
        if let station = call.station { self.station = Calls_V1_StationFacts(station) }
    }
}

extension Calls_V1_StationFacts {
    init(_ facts: StationFacts) {
        self.init()
        name = facts.name
        if let callID = facts.callID { self.callID = callID }
        if let direction = facts.direction { self.direction = direction }
        if let answeredAt = facts.answeredAt { self.answeredAt = Google_Protobuf_Timestamp(date: answeredAt) }
        if let endedAt = facts.endedAt { self.endedAt = Google_Protobuf_Timestamp(date: endedAt) }
        if let hangupCause = facts.hangupCause { self.hangupCause = hangupCause }
        if let durationSec = facts.durationSec { self.durationSec = Int32(clamping: durationSec) }
        if let billableSec = facts.billableSec { self.billableSec = Int32(clamping: billableSec) }
    }

    /// The request REST's `station` object would be, so both transports validate alike.
    var request: StationFactsRequest {
        StationFactsRequest(
            name: name, callId: hasCallID ? callID : nil, direction: hasDirection ? direction : nil,
            answeredAt: hasAnsweredAt ? answeredAt.requestText : nil, endedAt: hasEndedAt ? endedAt.requestText : nil,
            hangupCause: hasHangupCause ? hangupCause : nil, durationSec: hasDurationSec ? Int(durationSec) : nil,
            billableSec: hasBillableSec ? Int(billableSec) : nil)
    }
}

extension Calls_V1_CallStatus {
    init(_ status: CallStatus) {
        switch status {
        case .created: self = .created
        case .processing: self = .processing
        case .ready: self = .ready
        case .failed: self = .failed
        }
    }

    /// Nil for `CALL_STATUS_UNSPECIFIED` and values this server does not know.
    var callStatus: CallStatus? {
        switch self {
        case .created: .created
        case .processing: .processing
        case .ready: .ready
        case .failed: .failed
        default: nil
        }
    }
}

extension Calls_V1_Recording {
    init(_ recording: Recording) throws {
        self.init()
        id = recording.id.lowercasedString
        filename = recording.filename
        format = recording.format.rawValue
        sizeBytes = recording.sizeBytes
        sha256 = recording.sha256
        sampleRate = Int32(clamping: recording.sampleRate)
        channels = Int32(clamping: recording.channels)
        if let duration = recording.durationSec { durationSec = duration }
        silenceMarks = (recording.silenceMarks ?? []).map(Calls_V1_SilenceMark.init)
        if let transcription = recording.transcription { self.transcription = transcription }
        if let analysis = recording.analysis { self.analysis = try Google_Protobuf_Struct(encoding: analysis) }
        originalAvailable = recording.originalAvailable
        if let archive = recording.archive { self.archive = Calls_V1_Archive(archive) }
    }
}

extension Calls_V1_SilenceMark {
    init(_ mark: SilenceMark) {
        self.init()
        start = mark.startMs.seconds
        end = mark.endMs.seconds
        if let channel = mark.channel { self.channel = Int32(clamping: channel) }
    }
}

extension Calls_V1_Archive {
    init(_ archive: RecordingArchive) {
        self.init()
        status = archive.status.rawValue
        format = archive.format.rawValue
        if let bitrate = archive.bitrateKbps { bitrateKbps = Int32(clamping: bitrate) }
        if let mode = archive.bitrateMode { bitrateMode = mode.rawValue }
        if let size = archive.sizeBytes { sizeBytes = size }
        if let sha256 = archive.sha256 { self.sha256 = sha256 }
        if let error = archive.error { self.error = error }
        if let archivedAt = archive.archivedAt { self.archivedAt = Google_Protobuf_Timestamp(date: archivedAt) }
    }
}

extension Calls_V1_Callback {
    init(_ callback: CallbackState) {
        self.init()
        url = callback.url
        if let status = callback.status { self.status = status.rawValue }
        attempts = Int32(clamping: callback.attempts)
        if let error = callback.error { self.error = error }
    }
}

extension Calls_V1_UploadRecordingResponse {
    init(_ accepted: AcceptedRecording) {
        self.init()
        recordingID = accepted.recordingId
        callID = accepted.callId
        filename = accepted.filename
        format = accepted.format.rawValue
        sizeBytes = accepted.sizeBytes
        sha256 = accepted.sha256
        sampleRate = Int32(clamping: accepted.sampleRate)
        channels = Int32(clamping: accepted.channels)
        status = Calls_V1_CallStatus(accepted.status)
    }
}

extension Google_Protobuf_Struct {
    /// The value's REST JSON (snake_case keys, RFC 3339 times) as a Struct.
    init(encoding value: some Encodable) throws {
        try self.init(jsonUTF8Data: JSONCoding.makeEncoder().encode(value))
    }
}
