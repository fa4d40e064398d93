import CallsCore
import Foundation

/// An `ArchiveLeaseRepository` whose every call fails with `DatabaseTimeout` rather than waiting past `limit`
/// (see `DeadlineJobLeases`).
public struct DeadlineArchiveLeases<Base: ArchiveLeaseRepository>: ArchiveLeaseRepository {
    public let base: Base
    public let limit: Duration

    public init(_ base: Base, limit: Duration = DatabaseDeadline.defaultLimit) {
        self.base = base
        self.limit = limit
    }

    public func claim(callID: UUID, worker: String, leaseSeconds: Int) async throws -> ArchiveClaimOutcome {
        try await DatabaseDeadline.run(within: limit) { try await base.claim(callID: callID, worker: worker, leaseSeconds: leaseSeconds) }
    }

    public func complete(_ claim: ArchiveClaim, with file: ArchivedFile, removingOriginal: Bool) async throws -> ArchiveCommit {
        try await DatabaseDeadline.run(within: limit) { try await base.complete(claim, with: file, removingOriginal: removingOriginal) }
    }

    public func fail(_ claim: ArchiveClaim, reason: String) async throws -> Bool {
        try await DatabaseDeadline.run(within: limit) { try await base.fail(claim, reason: reason) }
    }

    public func release(_ claim: ArchiveClaim, reason: String) async throws -> Bool {
        try await DatabaseDeadline.run(within: limit) { try await base.release(claim, reason: reason) }
    }

    public func renew(_ claim: ArchiveClaim, leaseSeconds: Int) async throws -> Bool {
        try await DatabaseDeadline.run(within: limit) { try await base.renew(claim, leaseSeconds: leaseSeconds) }
    }

    public func releaseHeld(callID: UUID, worker: String) async throws -> Bool {
        try await DatabaseDeadline.run(within: limit) { try await base.releaseHeld(callID: callID, worker: worker) }
    }

    public func failUnclaimed(callID: UUID, reason: String) async throws -> Bool {
        try await DatabaseDeadline.run(within: limit) { try await base.failUnclaimed(callID: callID, reason: reason) }
    }

    public func resetForRetry(callID: UUID) async throws -> Bool {
        try await DatabaseDeadline.run(within: limit) { try await base.resetForRetry(callID: callID) }
    }

    public func stalledArchives(unclaimedFor: Duration, limit count: Int) async throws -> [UUID] {
        try await DatabaseDeadline.run(within: limit) { try await base.stalledArchives(unclaimedFor: unclaimedFor, limit: count) }
    }
}
