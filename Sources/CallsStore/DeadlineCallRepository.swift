import CallsCore
import Foundation

/// A `CallRepository` and `Outbox` whose every call fails with `DatabaseTimeout` rather than waiting past
/// `limit` (see `DatabaseDeadline`).
public struct DeadlineCallRepository<Base: CallRepository & Outbox>: CallRepository, Outbox {
    public let base: Base
    public let limit: Duration

    public init(_ base: Base, limit: Duration = DatabaseDeadline.defaultLimit) {
        self.base = base
        self.limit = limit
    }

    public func create(_ call: NewCall, idempotencyKey: String?) async throws -> CallCreation {
        try await DatabaseDeadline.run(within: limit) { try await base.create(call, idempotencyKey: idempotencyKey) }
    }

    public func find(id: UUID) async throws -> Call? {
        try await DatabaseDeadline.run(within: limit) { try await base.find(id: id) }
    }

    public func list(_ query: CallQuery) async throws -> CallPage {
        try await DatabaseDeadline.run(within: limit) { try await base.list(query) }
    }

    public func attachRecording(_ recording: NewRecording, toCall callID: UUID, jobPayload: String) async throws -> Int64 {
        try await DatabaseDeadline.run(within: limit) {
            try await base.attachRecording(recording, toCall: callID, jobPayload: jobPayload)
        }
    }

    public func storedRecording(_ lookup: RecordingLookup) async throws -> StoredRecording? {
        try await DatabaseDeadline.run(within: limit) { try await base.storedRecording(lookup) }
    }

    public func calls(createdBefore cutoff: Date, limit count: Int) async throws -> [UUID] {
        try await DatabaseDeadline.run(within: limit) { try await base.calls(createdBefore: cutoff, limit: count) }
    }

    public func updateTags(id: UUID, tags: [String]) async throws -> Call? {
        try await DatabaseDeadline.run(within: limit) { try await base.updateTags(id: id, tags: tags) }
    }

    /// The stored object's removal runs inside, so it gets three times the deadline.
    public func delete(id: UUID, removeStoredObject: @escaping @Sendable (String) async throws -> Void) async throws -> Bool {
        try await DatabaseDeadline.run(within: limit * 3) {
            try await base.delete(id: id, removeStoredObject: removeStoredObject)
        }
    }

    public func ping() async throws {
        try await DatabaseDeadline.run(within: limit) { try await base.ping() }
    }

    public func remove(entryIDs: [Int64]) async throws {
        try await DatabaseDeadline.run(within: limit) { try await base.remove(entryIDs: entryIDs) }
    }

    /// A relay pass publishes up to `limit` entries, so it gets six times the deadline.
    public func relay(olderThan minimumAge: Duration, limit count: Int, publish: @Sendable @escaping ([String]) async throws -> Void) async throws -> Int {
        try await DatabaseDeadline.run(within: limit * 6) {
            try await base.relay(olderThan: minimumAge, limit: count, publish: publish)
        }
    }
}

extension DeadlineCallRepository: UploadLedger where Base: UploadLedger {
    public func registerUpload(storageKey: String) async throws {
        try await DatabaseDeadline.run(within: limit) { try await base.registerUpload(storageKey: storageKey) }
    }

    public func forgetUpload(storageKey: String) async throws {
        try await DatabaseDeadline.run(within: limit) { try await base.forgetUpload(storageKey: storageKey) }
    }

    public func abandonedUploads(olderThan age: Duration, limit count: Int) async throws -> [String] {
        try await DatabaseDeadline.run(within: limit) { try await base.abandonedUploads(olderThan: age, limit: count) }
    }
}
