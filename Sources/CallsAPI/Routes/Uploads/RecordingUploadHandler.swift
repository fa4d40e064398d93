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
/// one transaction before the job is pushed to Redis. Every failure removes what it wrote, except a commit
/// whose outcome is unknown (a timeout, a lost connection): it may still have happened, so the file stays and
/// the upload ledger lets `UploadJanitor` remove it once it is certain that it did not.
struct RecordingUploadHandler<Calls: CallRepository & Outbox & UploadLedger>: Sendable {
    let calls: Calls
    let queue: any JobPublisher
    let store: any RecordingStore
    let maxUploadBytes: Int64
    let outboxAcknowledger: OutboxAcknowledger
    var pace: UploadPace?

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
            length > maxUploadBytes + MultipartFileReceiver.framingAllowance
        {
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
            received = try await MultipartFileReceiver(boundary: boundary, limit: maxUploadBytes, pace: pace)
                .receive(body, into: temporary)
        } catch let failure as MultipartFileReceiver.Failure {
            switch failure {
            case .tooLarge: throw Problem.payloadTooLarge(limit: maxUploadBytes)
            case .headersTooLarge(let reason): throw Problem.multipartHeadersTooLarge(reason)
            case .tooManyParts(let limit): throw Problem.tooManyParts(limit: limit)
            case .tooSlow(let bytesPerSecond): throw Problem.uploadTooSlow(bytesPerSecond: bytesPerSecond)
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
        try await calls.registerUpload(storageKey: stored.storageKey)
        try await store.publish(temporary, as: stored.storageKey)

        let job = Job(kind: .analyze, callID: callID)
        let outboxEntry: Int64
        do {
            outboxEntry = try await calls.attachRecording(stored, toCall: callID, jobPayload: job.payload)
        } catch let refusal as AttachRecordingError {
            // The statement ran to its end and attached nothing: the file is certainly not referenced.
            try? await store.remove(key: stored.storageKey)
            try? await calls.forgetUpload(storageKey: stored.storageKey)
            switch refusal {
            case .callNotFound: throw Problem.callNotFound(callID.lowercasedString)
            case .recordingExists: throw Problem.recordingExists
            }
        } catch {
            context.logger.warning(
                "the recording's commit has an unknown outcome; its file stays until the upload janitor settles it",
                metadata: ["storage_key": "\(stored.storageKey)", "error": "\(String(reflecting: error))"])
            throw error
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
