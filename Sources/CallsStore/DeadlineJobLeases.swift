import CallsCore
import Foundation

/// A `JobLeaseRepository` whose every call fails with `DatabaseTimeout` rather than waiting past `limit`:
/// a worker keeps heartbeating through a database outage instead of stalling until it is declared dead.
public struct DeadlineJobLeases<Base: JobLeaseRepository>: JobLeaseRepository {
    public let base: Base
    public let limit: Duration

    public init(_ base: Base, limit: Duration = DatabaseDeadline.defaultLimit) {
        self.base = base
        self.limit = limit
    }

    public func claim(callID: UUID, worker: String, leaseSeconds: Int) async throws -> ClaimOutcome {
        try await DatabaseDeadline.run(within: limit) { try await base.claim(callID: callID, worker: worker, leaseSeconds: leaseSeconds) }
    }

    public func complete(_ claim: JobClaim, with result: AnalysisResult, queueingArchive: Bool) async throws -> FollowUps? {
        try await DatabaseDeadline.run(within: limit) { try await base.complete(claim, with: result, queueingArchive: queueingArchive) }
    }

    public func fail(_ claim: JobClaim, reason: String) async throws -> FollowUps? {
        try await DatabaseDeadline.run(within: limit) { try await base.fail(claim, reason: reason) }
    }

    public func release(_ claim: JobClaim, reason: String) async throws -> Bool {
        try await DatabaseDeadline.run(within: limit) { try await base.release(claim, reason: reason) }
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

    public func oldestUnfinishedAge() async throws -> Duration? {
        try await DatabaseDeadline.run(within: limit) { try await base.oldestUnfinishedAge() }
    }

    public func extendLeases(worker: String, leaseSeconds: Int) async throws -> Int {
        try await DatabaseDeadline.run(within: limit) { try await base.extendLeases(worker: worker, leaseSeconds: leaseSeconds) }
    }

    public func expireLeases(workers: [String]) async throws -> Int {
        try await DatabaseDeadline.run(within: limit) { try await base.expireLeases(workers: workers) }
    }

    public func stalledCalls(unclaimedFor: Duration, limit count: Int) async throws -> [UUID] {
        try await DatabaseDeadline.run(within: limit) { try await base.stalledCalls(unclaimedFor: unclaimedFor, limit: count) }
    }
}
