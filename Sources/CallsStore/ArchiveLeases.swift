import CallsCore
import Foundation

/// A worker's right to archive one recording, valid while `leaseToken` is the archive's current token.
public struct ArchiveClaim: Sendable, Equatable {
    public var callID: UUID
    public var recordingID: UUID
    public var leaseToken: Int64
    /// Where the uploaded original is stored.
    public var originalKey: String
    public var attempts: Int

    public init(callID: UUID, recordingID: UUID, leaseToken: Int64, originalKey: String, attempts: Int) {
        self.callID = callID
        self.recordingID = recordingID
        self.leaseToken = leaseToken
        self.originalKey = originalKey
        self.attempts = attempts
    }

    /// `<original key without its extension>.archive.mp3`: next to the original, never equal to it (an MP3
    /// upload's own key ends in `.mp3`), and the same on every attempt, so a retry replaces rather than adds.
    public var archiveKey: String {
        let name = originalKey.split(separator: "/").last.map(String.init) ?? originalKey
        let stem = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
        return String(originalKey.dropLast(name.count)) + stem + ".archive.mp3"
    }
}

public enum ArchiveClaimOutcome: Sendable, Equatable {
    case claimed(ArchiveClaim)
    /// Archived already: a duplicate delivery. `leftoverOriginal` is the original's key when it was to be
    /// removed, so a removal cut short by a crash is finished (removing twice is harmless).
    case alreadyArchived(leftoverOriginal: String?)
    /// Given up already; only an operator's retry brings it back.
    case alreadyFailed
    /// Another worker holds a live lease on the archive.
    case leasedByAnother
    /// The call, its recording or its archive entry does not exist (deleted since the job was queued).
    case missing
}

/// What a finished archive is, as recorded on the recording.
public struct ArchivedFile: Sendable, Equatable {
    public var storageKey: String
    public var bitrateKbps: Int
    public var bitrateMode: MP3Encoding.Mode
    public var sizeBytes: Int64
    public var sha256: String

    public init(storageKey: String, bitrateKbps: Int, bitrateMode: MP3Encoding.Mode, sizeBytes: Int64, sha256: String) {
        self.storageKey = storageKey
        self.bitrateKbps = bitrateKbps
        self.bitrateMode = bitrateMode
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
    }
}

public enum ArchiveCommit: Sendable, Equatable {
    case committed
    /// A newer claim exists; nothing was written.
    case fenced
    /// The call was deleted meanwhile; the object just stored belongs to nobody.
    case gone
}

/// The PostgreSQL side of archive jobs: the same claim-with-lease and fenced commit as analyses, on the
/// `recording_archives` row, so an archive's fate never touches its call's status.
public protocol ArchiveLeaseRepository: Sendable {
    func claim(callID: UUID, worker: String, leaseSeconds: Int) async throws -> ArchiveClaimOutcome
    /// Renews the lease for `leaseSeconds` from now, only if `claim` still holds it: checked before each write
    /// to storage, which knows no fencing token. False when a newer claim fenced this one off.
    func renew(_ claim: ArchiveClaim, leaseSeconds: Int) async throws -> Bool
    /// Records the archive as done, and the original as removed when `removingOriginal`, only if `claim` still
    /// holds the lease.
    func complete(_ claim: ArchiveClaim, with file: ArchivedFile, removingOriginal: Bool) async throws -> ArchiveCommit
    /// Gives up on the archive for good (the original stays); false when fenced off.
    func fail(_ claim: ArchiveClaim, reason: String) async throws -> Bool
    /// Gives the claim back for a later attempt, recording `reason` meanwhile; false when fenced off.
    func release(_ claim: ArchiveClaim, reason: String) async throws -> Bool
    /// Gives back the lease `worker` holds on the archive, whatever its token (see
    /// `JobLeaseRepository.releaseHeld`). False when it held none.
    func releaseHeld(callID: UUID, worker: String) async throws -> Bool
    /// Gives up on an archive no live lease protects (its job was dead-lettered before it could be claimed).
    func failUnclaimed(callID: UUID, reason: String) async throws -> Bool
    /// Puts a `failed` archive back to `pending` with its attempts reset, for an operator's retry.
    func resetForRetry(callID: UUID) async throws -> Bool
    /// Archives due that no live worker holds: leases that expired, or never claimed for `unclaimedFor`.
    func stalledArchives(unclaimedFor: Duration, limit: Int) async throws -> [UUID]
}
