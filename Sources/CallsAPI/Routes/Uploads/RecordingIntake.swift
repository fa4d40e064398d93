import AudioAnalysis
import CallsCore
import CallsStore
import Foundation
import JobQueue
import Logging
import RecordingStorage

extension TemporaryRecording: UploadSink {}

/// What both transports do with an upload once its bytes arrive: stream them to a temporary file (hashing and
/// counting on the way), decide by content that it is audio, publish it atomically, and commit the recording
/// with its job in one transaction before the job is pushed to Redis. Every failure removes what it wrote,
/// except a commit whose outcome is unknown (a timeout, a lost connection): it may still have happened, so
/// the file stays and the upload ledger lets `UploadJanitor` remove it once it is certain that it did not.
struct RecordingIntake<Calls: CallRepository & Outbox & UploadLedger>: Sendable {
    let calls: Calls
    let queue: any JobPublisher
    let store: any RecordingStore
    let maxUploadBytes: Int64
    let outboxAcknowledger: OutboxAcknowledger

    /// What the transport received into the temporary file.
    struct Received {
        var filename: String?
        var byteCount: Int64
    }

    /// Refuses before a byte of the body is read when the answer is already known.
    func checkAcceptsRecording(callID: UUID) async throws {
        guard let call = try await calls.find(id: callID) else { throw Problem.callNotFound(callID.lowercasedString) }
        guard call.recording == nil else { throw Problem.recordingExists }
    }

    /// `receive` fills the temporary file and must have waited for its writes when it returns.
    func accept(
        callID: UUID, logger: Logger, receive: (TemporaryRecording) async throws -> Received
    ) async throws -> AcceptedRecording {
        let temporary = try await store.makeTemporaryRecording()
        do {
            return try await accept(try await receive(temporary), in: temporary, callID: callID, logger: logger)
        } catch {
            temporary.discard()
            throw error
        }
    }

    private func accept(
        _ received: Received, in temporary: TemporaryRecording, callID: UUID, logger: Logger
    ) async throws -> AcceptedRecording {
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
        // From here on the upload is committed or cleaned up, never abandoned half-way: a gRPC client that
        // cancels (or a deadline that passes) must not cut the commit off and leave its outcome unknown.
        try await Task { try await commit(stored, from: temporary, toCall: callID, logger: logger) }.value
        return AcceptedRecording(
            recordingId: stored.id.lowercasedString, callId: callID.lowercasedString, filename: stored.filename, format: stored.format,
            sizeBytes: stored.sizeBytes, sha256: stored.sha256, sampleRate: stored.sampleRate,
            channels: stored.channels, status: .processing)
    }

    private func commit(_ stored: NewRecording, from temporary: TemporaryRecording, toCall callID: UUID, logger: Logger) async throws {
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
            logger.warning(
                "the recording's commit has an unknown outcome; its file stays until the upload janitor settles it",
                metadata: ["storage_key": "\(stored.storageKey)", "error": "\(String(reflecting: error))"])
            throw error
        }
        await publish(job, outboxEntry: outboxEntry, logger: logger)
    }

    /// The recording is committed; the job is safe in the outbox. If Redis is down the relay pushes it later,
    /// so the client still gets its answer.
    private func publish(_ job: Job, outboxEntry: Int64, logger: Logger) async {
        do {
            try await queue.enqueue(job)
        } catch {
            logger.warning("job left to the outbox relay", metadata: ["job": "\(job)", "error": "\(error)"])
            return
        }
        outboxAcknowledger.acknowledge(entryID: outboxEntry)
    }
}

/// An upload the service took: REST's 202 body, gRPC's `UploadRecordingResponse`.
struct AcceptedRecording: Encodable {
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
