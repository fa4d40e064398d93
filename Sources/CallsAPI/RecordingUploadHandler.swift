import AudioAnalysis
import CallsCore
import CallsStore
import Foundation
import Hummingbird
import JobQueue
import NIOPosix
import RecordingStorage

extension TemporaryRecording: UploadSink {}

/// `POST /calls/{id}/recording`: streams the upload to a temporary file (hashing and counting on the way),
/// decides by content that it is audio, publishes it atomically, and commits the recording with its job in
/// one transaction before the job is pushed to Redis. Every failure removes what it wrote.
struct RecordingUploadHandler<Calls: CallRepository & Outbox>: Sendable {
    let calls: Calls
    let queue: any JobPublisher
    let store: any RecordingStore
    let maxUploadBytes: Int64
    let outboxAcknowledger: OutboxAcknowledger

    /// Room for multipart framing on top of the file itself when judging `Content-Length`.
    static var framingAllowance: Int64 { 64 * 1024 }

    struct Accepted: Encodable {
        var recordingId: String
        var callId: String
        var filename: String
        var format: AudioFormat
        var sizeBytes: Int64
        var sha256: String
        var sampleRate: Int
        var channels: Int
        var status: CallStatus
    }

    @Sendable func upload(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let callID = try callID(context)
        // Refuse before reading a byte of the body when the answer is already known.
        guard let call = try await calls.find(id: callID) else { throw Problem.callNotFound(callID.lowercasedString) }
        guard call.recording == nil else { throw Problem.recordingExists }
        guard let boundary = request.headers[.contentType].flatMap(MultipartHeaders.boundary) else {
            throw Problem.multipartRequired
        }
        if let length = request.headers[.contentLength].flatMap({ Int64($0) }),
           length > maxUploadBytes + Self.framingAllowance {
            throw Problem.payloadTooLarge(limit: maxUploadBytes)
        }

        let temporary = try await store.makeTemporaryRecording()
        do {
            let accepted = try await receive(request.body, boundary: boundary, into: temporary, callID: callID, context: context)
            return try .json(accepted, status: .accepted)
        } catch {
            temporary.discard()
            throw error
        }
    }

    private func receive(
        _ body: RequestBody, boundary: String, into temporary: TemporaryRecording, callID: UUID,
        context: CallsRequestContext
    ) async throws -> Accepted {
        let received: MultipartFileReceiver.Received
        do {
            received = try await MultipartFileReceiver(boundary: boundary, limit: maxUploadBytes)
                .receive(body, into: temporary)
        } catch let failure as MultipartFileReceiver.Failure {
            switch failure {
            case .tooLarge: throw Problem.payloadTooLarge(limit: maxUploadBytes)
            case .malformed(let reason): throw Problem.invalidMultipart(reason)
            case .missingFile: throw Problem.validation(field: "file", "is required: send the recording in the multipart field 'file'")
            }
        }
        let sha256: String
        let probe: AudioProbe
        do {
            (sha256, probe) = try await temporary.finish(inspecting: { path in try AudioProbe.probe(path: path) })
        } catch let error as AudioDecodingError {
            throw Problem.unsupportedMedia(error.message)
        }

        let recordingID = UUID()
        let stored = NewRecording(
            id: recordingID,
            filename: MultipartHeaders.displayName(received.filename, fallbackExtension: probe.format.fileExtension),
            storageKey: RecordingKey.make(recordingID: recordingID, fileExtension: probe.format.fileExtension, date: Date()),
            format: probe.format,
            sizeBytes: received.byteCount,
            sha256: sha256,
            sampleRate: probe.sampleRate,
            channels: probe.channelCount
        )
        try await store.publish(temporary, as: stored.storageKey)

        let job = Job(kind: .analyze, callID: callID)
        let outboxEntry: Int64
        do {
            outboxEntry = try await calls.attachRecording(stored, toCall: callID, jobPayload: job.payload)
        } catch {
            try? await store.remove(key: stored.storageKey)
            switch error {
            case AttachRecordingError.callNotFound: throw Problem.callNotFound(callID.lowercasedString)
            case AttachRecordingError.recordingExists: throw Problem.recordingExists
            default: throw error
            }
        }
        await publish(job, outboxEntry: outboxEntry, context: context)

        return Accepted(
            recordingId: stored.id.lowercasedString, callId: callID.lowercasedString, filename: stored.filename, format: stored.format,
            sizeBytes: stored.sizeBytes, sha256: stored.sha256, sampleRate: stored.sampleRate,
            channels: stored.channels, status: .processing)
    }

    /// The recording is committed; the job is safe in the outbox. If Redis is down the relay pushes it later,
    /// so the client still gets its 202.
    private func publish(_ job: Job, outboxEntry: Int64, context: CallsRequestContext) async {
        do {
            try await queue.enqueue(job)
        } catch {
            context.logger.warning("job left to the outbox relay", metadata: ["job": "\(job)", "error": "\(error)"])
            return
        }
        outboxAcknowledger.acknowledge(entryID: outboxEntry)
    }
}
