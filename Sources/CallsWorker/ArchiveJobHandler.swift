import AudioAnalysis
import CallsCore
import CallsStore
import Foundation
import JobQueue
import Logging
import NIOPosix
import RecordingStorage

/// Runs one archive job: claim the archive, convert the original to MP3 in scratch space, store it under
/// its permanent key, commit its details under the claim's fencing token, then remove the original (unless
/// it is to be kept). Nothing here changes the call's status: an archive that fails leaves the call `ready`
/// with its original, and the failure on the archive. Storage or database trouble is thrown, so the job is
/// retried in place without spending an attempt.
public struct ArchiveJobHandler: Sendable {
    let archives: any ArchiveLeases
    let store: any RecordingStore
    let settings: ArchiveSettings
    let worker: String
    let leaseSeconds: Int
    let maxAttempts: Int
    /// Runs the blocking conversion.
    let encodingPool: NIOThreadPool
    let logger: Logger

    public init(
        archives: any ArchiveLeases, store: any RecordingStore, settings: ArchiveSettings, worker: String,
        leaseSeconds: Int, maxAttempts: Int, encodingPool: NIOThreadPool, logger: Logger
    ) {
        self.archives = archives
        self.store = store
        self.settings = settings
        self.worker = worker
        self.leaseSeconds = leaseSeconds
        self.maxAttempts = maxAttempts
        self.encodingPool = encodingPool
        self.logger = logger
    }

    public func handle(_ job: Job) async throws -> JobOutcome {
        let claim: ArchiveClaim
        switch try await archives.claim(callID: job.callID, worker: worker, leaseSeconds: leaseSeconds) {
        case .claimed(let granted): claim = granted
        case .nothingToDo(let reason, let leftoverOriginal):
            if let key = leftoverOriginal { try await store.remove(key: key) }
            return .skipped(reason)
        case .leasedByAnother: return .heldByAnother
        }

        let temporary = try await store.makeTemporaryRecording()
        defer { temporary.discard() }
        let converted: Result<ArchivedFile, AudioEncodingError>
        do {
            converted = try await convert(claim, into: temporary.path)
        } catch let error as RecordingStoreError where error.kind == .notFound || error.kind == .invalidKey {
            converted = .failure(
                AudioEncodingError(
                    error.kind == .notFound ? "the original recording is missing from storage" : error.message))
        }

        switch converted {
        case .success(let file):
            // Storage takes no fencing token: a claim superseded while converting must not replace (or, for
            // a moment, remove) the object the newer claim stored. The renewed lease keeps the newer claim
            // away while this one publishes.
            guard try await archives.renew(claim, leaseSeconds: leaseSeconds) else { return .fenced }
            try await publishReplacingEarlierAttempt(temporary, as: file.storageKey)
            switch try await archives.complete(claim, with: file) {
            case .committed:
                // Recorded as removed before it is: a crash in between leaves an orphan that the next delivery
                // (or deleting the call) removes, never a row pointing at a missing file.
                if archives.removingOriginals { try await store.remove(key: claim.originalKey) }
                return .completed
            case .fenced:
                // The newer claim stores the same key with the same content; leave it be.
                return .fenced
            case .gone:
                try await store.remove(key: file.storageKey)
                return .skipped("call deleted while archiving")
            }
        case .failure(let error):
            return try await AttemptDecision.recordFailure(error.message, of: claim, in: archives, maxAttempts: maxAttempts).outcome
        }
    }

    /// The original as an MP3 at `path`, with its size and SHA-256; a failure is about the recording, a
    /// thrown error about the machine.
    private func convert(_ claim: ArchiveClaim, into path: String) async throws -> Result<ArchivedFile, AudioEncodingError> {
        let pool = encodingPool
        let encoding = settings.encoding
        let key = claim.archiveKey
        return try await store.withLocalFile(forKey: claim.originalKey) { original in
            try await pool.runIfActive {
                let summary: MP3EncodingSummary
                do {
                    summary = try MP3FileEncoder.encode(inputPath: original, outputPath: path, encoding: encoding)
                } catch let error as AudioEncodingError {
                    return .failure(error)
                } catch let error as AudioDecodingError {
                    return .failure(AudioEncodingError(error.message))
                }
                return .success(
                    ArchivedFile(
                        storageKey: key, bitrateKbps: summary.bitrateKbps, bitrateMode: encoding.mode,
                        sizeBytes: summary.byteCount, sha256: try FileDigest.sha256Hex(ofFileAt: path)))
            }
        }
    }

    /// An earlier attempt may have stored the archive and died before committing: same key, and by the
    /// fencing token this attempt is the one whose file the row will describe.
    private func publishReplacingEarlierAttempt(_ temporary: TemporaryRecording, as key: String) async throws {
        do {
            try await store.publish(temporary, as: key)
        } catch let error as RecordingStoreError where error.kind == .alreadyExists {
            try await store.remove(key: key)
            try await store.publish(temporary, as: key)
        }
    }
}
