import CallsCore
import Crypto
import Foundation

/// What `GET /calls` asks for: every filter is optional and they combine with AND.
public struct CallQuery: Sendable, Equatable {
    /// Digits that must occur (anywhere) in the caller's or the receiver's number.
    public var digits: String?
    /// The caller's or the receiver's number, exactly (normalized digits).
    public var phone: String?
    /// `started_at` at or after this.
    public var startedFrom: Date?
    /// `started_at` before this.
    public var startedBefore: Date?
    /// Any of these statuses; empty for every status.
    public var statuses: [CallStatus]
    /// Calls carrying this tag.
    public var tag: String?
    /// Calls imported from this source (`CALLS_SOURCES` name).
    public var source: String?
    /// The call with this id at its source (with `source`).
    public var externalID: Int64?
    /// The imported call whose source named this media record, to link a recording uploaded later.
    public var mediaRecordID: String?
    public var order: CallOrder
    public var limit: Int
    /// Rows to skip (offset paging, kept for existing clients); ignored after a cursor.
    public var offset: Int
    /// Continue after this row (keyset paging).
    public var after: CallCursor?

    public init(
        digits: String? = nil, phone: String? = nil, startedFrom: Date? = nil, startedBefore: Date? = nil,
        statuses: [CallStatus] = [], tag: String? = nil, source: String? = nil, externalID: Int64? = nil,
        mediaRecordID: String? = nil, order: CallOrder = .newestFirst, limit: Int = 50, offset: Int = 0,
        after: CallCursor? = nil
    ) {
        self.source = source
        self.externalID = externalID
        self.mediaRecordID = mediaRecordID
        self.digits = digits
        self.phone = phone
        self.startedFrom = startedFrom
        self.startedBefore = startedBefore
        self.statuses = statuses
        self.tag = tag
        self.order = order
        self.limit = limit
        self.offset = offset
        self.after = after
    }
}

public enum CallOrder: String, Sendable, Equatable {
    /// `sort=-started_at` (the default).
    case newestFirst = "-started_at"
    /// `sort=started_at`.
    case oldestFirst = "started_at"
}

public struct CallPage: Sendable, Equatable {
    /// Calls matching the filters; exact up to `CallPage.exactTotalLimit`, an estimate beyond.
    public var total: Int
    public var totalIsEstimate: Bool
    public var items: [Call]
    /// Where the next page starts; nil on the last page.
    public var nextCursor: CallCursor?

    /// Counting every match of a broad filter over millions of calls would cost more than the page itself:
    /// past this many, `total` is the planner's estimate (measured in BENCHMARKS.md).
    public static let exactTotalLimit = 1_000

    public init(total: Int, totalIsEstimate: Bool = false, items: [Call], nextCursor: CallCursor? = nil) {
        self.total = total
        self.totalIsEstimate = totalIsEstimate
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// A recording that has been stored and probed, ready to be attached to its call.
public struct NewRecording: Sendable, Equatable {
    public var id: UUID
    public var filename: String
    public var storageKey: String
    public var format: AudioFormat
    public var sizeBytes: Int64
    public var sha256: String
    public var sampleRate: Int
    public var channels: Int

    public init(
        id: UUID, filename: String, storageKey: String, format: AudioFormat, sizeBytes: Int64, sha256: String,
        sampleRate: Int, channels: Int
    ) {
        self.id = id
        self.filename = filename
        self.storageKey = storageKey
        self.format = format
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
        self.sampleRate = sampleRate
        self.channels = channels
    }
}

/// A recording with where it is stored and what its call says about it.
public struct StoredRecording: Sendable, Equatable {
    public var callID: UUID
    public var tags: [String]
    public var recording: Recording
    /// The uploaded original's key (its object is gone when `recording.originalAvailable` is false).
    public var storageKey: String
    /// The finished MP3 archive; nil until it is done.
    public var archive: StoredArchive?

    public init(callID: UUID, tags: [String], recording: Recording, storageKey: String, archive: StoredArchive? = nil) {
        self.callID = callID
        self.tags = tags
        self.recording = recording
        self.storageKey = storageKey
        self.archive = archive
    }
}

/// Where a finished MP3 archive is stored, and what a download needs to describe it.
public struct StoredArchive: Sendable, Equatable {
    public var storageKey: String
    public var sizeBytes: Int64
    public var sha256: String

    public init(storageKey: String, sizeBytes: Int64, sha256: String) {
        self.storageKey = storageKey
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
    }
}

public enum RecordingLookup: Sendable {
    case call(UUID)
    case recording(UUID)
}

public enum AttachRecordingError: Error, Equatable {
    case callNotFound
    case recordingExists
}

/// The calls as the API reads and writes them. Postgres in production; an in-memory twin in route tests.
public protocol CallRepository: Sendable {
    /// Stores a new call. With an idempotency key, a key seen before returns its call instead (`.replayed`)
    /// when the request is the same, and `.keyReused` when it is not.
    func create(_ call: NewCall, idempotencyKey: String?) async throws -> CallCreation
    func find(id: UUID) async throws -> Call?
    func list(_ query: CallQuery) async throws -> CallPage
    /// In one transaction: stores the recording row, moves the call to `processing` and records `jobPayload`
    /// in the outbox. Returns the outbox entry, to be removed once the job is in Redis.
    /// Throws `AttachRecordingError` when the call is gone or already has a recording.
    func attachRecording(_ recording: NewRecording, toCall callID: UUID, jobPayload: String) async throws -> Int64
    /// The recording of a call, or the recording with an id; nil when there is none.
    func storedRecording(_ lookup: RecordingLookup) async throws -> StoredRecording?
    /// Ids of calls created before `cutoff`, oldest first.
    func calls(createdBefore cutoff: Date, limit: Int) async throws -> [UUID]
    /// Replaces the call's tags; nil when there is no such call.
    func updateTags(id: UUID, tags: [String]) async throws -> Call?
    /// Deletes the call with its recording, archive and outbox rows, calling `removeStoredObject` with the
    /// storage key of the original and of the archive first, while the call is locked: if a removal throws,
    /// nothing is deleted.
    /// Returns false when there was no such call.
    func delete(id: UUID, removeStoredObject: @escaping @Sendable (String) async throws -> Void) async throws -> Bool
    /// Throws when the database cannot be reached; for readiness checks.
    func ping() async throws
}

/// What `CallRepository.create` did.
public enum CallCreation: Sendable, Equatable {
    case created(Call)
    /// The idempotency key was used before by the same request: its call, unchanged.
    case replayed(Call)
    /// The idempotency key was used before by a different request.
    case keyReused
}

extension CallRepository {
    /// Stores a new call (no idempotency key).
    public func create(_ call: NewCall) async throws -> Call {
        guard case .created(let created) = try await create(call, idempotencyKey: nil) else {
            throw PostgresStoreError("a call without an idempotency key was not created")
        }
        return created
    }
}

extension NewCall {
    /// What makes two creation requests the same: their validated fields, so that spacing or key order in
    /// the JSON does not matter.
    public var fingerprint: String {
        var parts = [caller, receiver, Timestamp.format(startedAt), tags.joined(separator: ","), callbackURL ?? ""]
        // Only when present, so the keys stored before calls had station facts still match their replays.
        if let station {
            parts.append(
                [
                    station.name, station.callID ?? "", station.direction ?? "", station.answeredAt.map(Timestamp.format) ?? "",
                    station.endedAt.map(Timestamp.format) ?? "", station.hangupCause ?? "", station.durationSec.map(String.init) ?? "",
                    station.billableSec.map(String.init) ?? "",
                ].joined(separator: "\u{1E}"))
        }
        let canonical = parts.joined(separator: "\u{1F}")
        return Hex.encode(SHA256.hash(data: Data(canonical.utf8)))
    }

    /// Whether a key stored with `fingerprint` was this request: the same fields, or the same fields but the
    /// station facts from a client or service that did not know them yet (a retry across an upgrade must get
    /// its call, not `idempotency_key_reused`; the call then has no facts).
    public func matches(storedFingerprint: String) -> Bool {
        guard storedFingerprint != fingerprint else { return true }
        guard station != nil else { return false }
        var withoutStation = self
        withoutStation.station = nil
        return storedFingerprint == withoutStation.fingerprint
    }
}

/// Jobs committed with their call but maybe not yet pushed to Redis.
public protocol Outbox: Sendable {
    /// Forgets entries whose jobs are known to be in Redis.
    func remove(entryIDs: [Int64]) async throws
    /// Hands up to `limit` entries older than `minimumAge` to `publish` as one batch, oldest first, and removes
    /// the batch in one statement once `publish` returns; should it throw, every entry stays for the next round
    /// (a job pushed twice is harmless). Several relays may run at once: each batch is locked by its relay.
    func relay(olderThan minimumAge: Duration, limit: Int, publish: @Sendable @escaping ([String]) async throws -> Void) async throws -> Int
}
