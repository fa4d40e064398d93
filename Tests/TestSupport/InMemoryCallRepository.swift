import CallsCore
import CallsStore
import Foundation
import Synchronization

/// The in-memory twin of the PostgreSQL repository, for route tests that are about HTTP, not SQL.
public final class InMemoryCallRepository: CallRepository, Outbox, UploadLedger {
    private struct State {
        var calls: [UUID: Call] = [:]
        var storageKeys: [UUID: String] = [:]
        var idempotencyKeys: [String: (fingerprint: String, callID: UUID)] = [:]
        var outbox: [Int64: OutboxEntry] = [:]
        var nextOutboxID: Int64 = 1
        var uploadLedger: [String: ContinuousClock.Instant] = [:]
        var attachFailure: (any Error)?
    }

    /// An outbox row: the job and, as in PostgreSQL, its call (deleted with it) and when it was written.
    private struct OutboxEntry {
        var callID: UUID
        var payload: String
        var createdAt: ContinuousClock.Instant
    }

    private let state = Mutex(State())

    public init() {}

    public func create(_ call: NewCall, idempotencyKey: String?) async throws -> CallCreation {
        let now = Date()
        let created = Call(
            id: UUID(), caller: call.caller, receiver: call.receiver, startedAt: call.startedAt, status: .created,
            tags: call.tags, createdAt: now, updatedAt: now, callback: call.callbackURL.map { CallbackState(url: $0) },
            station: call.station)
        return state.withLock { state in
            if let key = idempotencyKey {
                if let (fingerprint, id) = state.idempotencyKeys[key], let existing = state.calls[id] {
                    return call.matches(storedFingerprint: fingerprint) ? .replayed(existing) : .keyReused
                }
                state.idempotencyKeys[key] = (call.fingerprint, created.id)
            }
            state.calls[created.id] = created
            return .created(created)
        }
    }

    public func find(id: UUID) async throws -> Call? {
        state.withLock { $0.calls[id] }
    }

    /// The same filters, order and paging as the Postgres repository (totals always exact).
    public func list(_ query: CallQuery) async throws -> CallPage {
        func micros(_ call: Call) -> Int64 { CallCursor(after: call, order: query.order).startedAtMicros }
        func precedes(_ a: Call, _ b: Call) -> Bool {
            let (left, right) = ((micros(a), a.id.uuidString.lowercased()), (micros(b), b.id.uuidString.lowercased()))
            return query.order == .newestFirst ? left > right : left < right
        }
        let matching = state.withLock { state in
            state.calls.values.filter { call in
                let parties = [call.caller, call.receiver].map(PhoneNumber.searchDigits)
                if let digits = query.digits, !parties.contains(where: { $0.contains(digits) }) { return false }
                if let phone = query.phone, !parties.contains(phone) { return false }
                if let from = query.startedFrom, call.startedAt < from { return false }
                if let before = query.startedBefore, call.startedAt >= before { return false }
                if !query.statuses.isEmpty, !query.statuses.contains(call.status) { return false }
                if let tag = query.tag, !call.tags.contains(tag) { return false }
                if let source = query.source, call.origin?.source != source { return false }
                if let externalID = query.externalID, call.origin?.externalID != externalID { return false }
                if let mediaRecordID = query.mediaRecordID, call.origin?.mediaRecordID != mediaRecordID { return false }
                return true
            }
        }.sorted(by: precedes)
        var rest = matching[...]
        if let cursor = query.after {
            rest = rest.drop { call in
                let position = (micros(call), call.id.uuidString.lowercased())
                let mark = (cursor.startedAtMicros, cursor.id.uuidString.lowercased())
                return cursor.order == .newestFirst ? position >= mark : position <= mark
            }
        } else {
            rest = rest.dropFirst(query.offset)
        }
        let page = Array(rest.prefix(query.limit))
        let next = rest.count > query.limit ? page.last.map { CallCursor(after: $0, order: query.order) } : nil
        return CallPage(total: matching.count, items: page, nextCursor: next)
    }

    public func attachRecording(_ recording: NewRecording, toCall callID: UUID, jobPayload: String) async throws -> Int64 {
        try state.withLock { state in
            if let failure = state.attachFailure { throw failure }
            guard var call = state.calls[callID] else { throw AttachRecordingError.callNotFound }
            guard call.recording == nil else { throw AttachRecordingError.recordingExists }
            call.recording = Recording(
                id: recording.id, filename: recording.filename, format: recording.format, sizeBytes: recording.sizeBytes,
                sha256: recording.sha256, sampleRate: recording.sampleRate, channels: recording.channels)
            call.status = .processing
            call.error = nil
            call.updatedAt = Date()
            state.calls[callID] = call
            state.storageKeys[callID] = recording.storageKey
            state.uploadLedger[recording.storageKey] = nil
            let id = state.nextOutboxID
            state.nextOutboxID += 1
            state.outbox[id] = OutboxEntry(callID: callID, payload: jobPayload, createdAt: .now)
            return id
        }
    }

    public func storedRecording(_ lookup: RecordingLookup) async throws -> StoredRecording? {
        state.withLock { state in
            let call: Call? =
                switch lookup {
                case .call(let id): state.calls[id]
                case .recording(let id): state.calls.values.first { $0.recording?.id == id }
                }
            guard let call, let recording = call.recording, let key = state.storageKeys[call.id] else { return nil }
            return StoredRecording(callID: call.id, tags: call.tags, recording: recording, storageKey: key)
        }
    }

    public func calls(createdBefore cutoff: Date, limit: Int) async throws -> [UUID] {
        state.withLock { state in
            Array(state.calls.values.filter { $0.createdAt < cutoff }.sorted { $0.createdAt < $1.createdAt }.prefix(limit).map(\.id))
        }
    }

    public func updateTags(id: UUID, tags: [String]) async throws -> Call? {
        state.withLock { state in
            state.calls[id]?.tags = tags
            state.calls[id]?.updatedAt = Date()
            return state.calls[id]
        }
    }

    public func delete(id: UUID, removeStoredObject: @escaping @Sendable (String) async throws -> Void) async throws -> Bool {
        guard let found = state.withLock({ state in state.calls[id].map { _ in state.storageKeys[id] } }) else { return false }
        if let key = found { try await removeStoredObject(key) }
        state.withLock { state in
            state.calls[id] = nil
            state.storageKeys[id] = nil
            state.outbox = state.outbox.filter { $0.value.callID != id }
        }
        return true
    }

    public func ping() async throws {}

    public func remove(entryIDs: [Int64]) async throws {
        state.withLock { state in
            for id in entryIDs { state.outbox.removeValue(forKey: id) }
        }
    }

    public func relay(
        olderThan minimumAge: Duration, limit: Int, publish: @Sendable @escaping ([String]) async throws -> Void
    ) async throws -> Int {
        let now = ContinuousClock.now
        let entries = state.withLock { state in
            state.outbox.filter { now - $0.value.createdAt > minimumAge }.sorted { $0.key < $1.key }.prefix(limit)
        }
        guard !entries.isEmpty else { return 0 }
        try await publish(entries.map(\.value.payload))
        state.withLock { state in for (id, _) in entries { state.outbox.removeValue(forKey: id) } }
        return entries.count
    }

    public func registerUpload(storageKey: String) async throws {
        state.withLock { $0.uploadLedger[storageKey] = $0.uploadLedger[storageKey] ?? .now }
    }

    public func forgetUpload(storageKey: String) async throws {
        _ = state.withLock { $0.uploadLedger.removeValue(forKey: storageKey) }
    }

    public func abandonedUploads(olderThan age: Duration, limit: Int) async throws -> [String] {
        let now = ContinuousClock.now
        return state.withLock { state in
            let referenced = Set(state.storageKeys.values)
            let old = state.uploadLedger.filter { now - $0.value > age }
            for key in old.keys where referenced.contains(key) { state.uploadLedger[key] = nil }
            return Array(old.filter { !referenced.contains($0.key) }.sorted { $0.value < $1.value }.prefix(limit).map(\.key))
        }
    }

    /// Test inspection: the storage keys of uploads not known to be settled.
    public var unsettledUploads: [String] {
        state.withLock { Array($0.uploadLedger.keys).sorted() }
    }

    /// Makes `attachRecording` fail with `error`, as a lost race or a database failure would.
    public func failAttachments(with error: any Error) {
        state.withLock { $0.attachFailure = error }
    }

    /// Test inspection: the outbox payloads not yet published.
    public var pendingOutbox: [String] {
        state.withLock { $0.outbox.sorted { $0.key < $1.key }.map(\.value.payload) }
    }

    public func storageKey(ofCall id: UUID) -> String? {
        state.withLock { $0.storageKeys[id] }
    }

    /// Test setup: a call that already has a recording stored under `storageKey`.
    public func insertRecording(_ recording: NewRecording, forCall callID: UUID) throws {
        _ = try state.withLock { state in
            guard var call = state.calls[callID] else { throw AttachRecordingError.callNotFound }
            call.recording = Recording(
                id: recording.id, filename: recording.filename, format: recording.format, sizeBytes: recording.sizeBytes,
                sha256: recording.sha256, sampleRate: recording.sampleRate, channels: recording.channels)
            state.calls[callID] = call
            state.storageKeys[callID] = recording.storageKey
        }
    }
}
