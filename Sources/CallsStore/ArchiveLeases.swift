import CallsCore
import Foundation

/// A worker's right to archive one recording, valid while `leaseToken` is the archive's current token.
public struct ArchiveClaim: WorkClaim {
    public var callID: UUID
    public var recordingID: UUID
    public var leaseToken: Int64
    /// Where the uploaded original is stored.
    public var originalKey: String
    /// Claims so far, this one included (a claim again by the holder is not counted).
    public var attempts: Int

    public init(callID: UUID, recordingID: UUID, leaseToken: Int64, originalKey: String, attempts: Int) {
        self.callID = callID
        self.recordingID = recordingID
        self.leaseToken = leaseToken
        self.originalKey = originalKey
        self.attempts = attempts
    }

    public var attempt: Int { attempts }

    /// `<original key without its extension>.archive.mp3`: next to the original, never equal to it (an MP3
    /// upload's own key ends in `.mp3`), and the same on every attempt, so a retry replaces rather than adds.
    public var archiveKey: String {
        let name = originalKey.split(separator: "/").last.map(String.init) ?? originalKey
        let stem = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
        return String(originalKey.dropLast(name.count)) + stem + ".archive.mp3"
    }
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

/// The leases of archives, on the `recording_archives` row, so an archive's fate never touches its call's
/// status.
public protocol ArchiveLeases: WorkLeases where Claim == ArchiveClaim, Product == ArchivedFile {
    /// Whether `complete` records the original as removed: the one place that decides it, so the worker
    /// removes the file exactly when the row says so.
    var removingOriginals: Bool { get }
    /// Renews the lease for `leaseSeconds` from now, only if `claim` still holds it: checked before each write
    /// to storage, which knows no fencing token. False when a newer claim fenced this one off.
    func renew(_ claim: ArchiveClaim, leaseSeconds: Int) async throws -> Bool
}
