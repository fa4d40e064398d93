import CallsCore
import Foundation

/// A worker's right to process one call, valid while `leaseToken` is the call's current token.
public struct JobClaim: Sendable, Equatable {
    public var callID: UUID
    public var leaseToken: Int64
    public var storageKey: String
    public var attempts: Int

    public init(callID: UUID, leaseToken: Int64, storageKey: String, attempts: Int) {
        self.callID = callID
        self.leaseToken = leaseToken
        self.storageKey = storageKey
        self.attempts = attempts
    }
}

public enum ClaimOutcome: Sendable, Equatable {
    case claimed(JobClaim)
    /// The call is `ready` or `failed`: a duplicate delivery, to be acknowledged and skipped.
    case alreadyFinished
    /// Another worker holds a live lease on the call.
    case leasedByAnother
    /// The call, or its recording, does not exist (deleted since the job was queued).
    case missing
}

/// The PostgreSQL side of the queue protocol: claims with a lease, and fenced commits.
public protocol JobLeaseRepository: Sendable {
    func claim(callID: UUID, worker: String, leaseSeconds: Int) async throws -> ClaimOutcome
    /// Stores the analysis and marks the call `ready`, only if `claim` still holds the lease; with
    /// `queueingArchive`, records in the same statement that the recording's MP3 archive is due.
    /// Returns the work the commit made due, nil when a newer claim fenced this one off (nothing is written).
    func complete(_ claim: JobClaim, with result: AnalysisResult, queueingArchive: Bool) async throws -> FollowUps?
    /// Marks the call `failed` with `reason`, only if `claim` still holds the lease; returns the work that
    /// made due (its callback), nil when fenced off.
    func fail(_ claim: JobClaim, reason: String) async throws -> FollowUps?
    /// Gives the claim back so a later delivery can claim the call again; records `reason` as the call's
    /// error meanwhile. False when the claim was fenced off.
    func release(_ claim: JobClaim, reason: String) async throws -> Bool
    /// Gives back the lease `worker` holds on the call, whatever its token: the worker cannot get past an
    /// error, and must stop renewing the lease. False when it held none.
    func releaseHeld(callID: UUID, worker: String) async throws -> Bool
    /// Marks a call `failed` that no live lease protects (a job dead-lettered before it could be claimed).
    func failUnclaimed(callID: UUID, reason: String) async throws -> Bool
    /// Puts a `failed` call back to `processing` with its attempts reset, for an operator's retry.
    func resetForRetry(callID: UUID) async throws -> Bool
    /// How long the oldest call still `processing` has waited since it was queued or last touched.
    func oldestUnfinishedAge() async throws -> Duration?
    /// Renews the leases of every call, archive and callback `worker` is processing; returns how many.
    func extendLeases(worker: String, leaseSeconds: Int) async throws -> Int
    /// Ends the leases of every call, archive and callback the given dead workers were processing, so the next delivery can claim
    /// them at once instead of waiting out the lease; returns how many. Should one of them be alive after
    /// all (a long pause), the fencing token refuses its late commit.
    func expireLeases(workers: [String]) async throws -> Int
    /// Calls whose analysis is due but that no live worker holds: leases that expired, or jobs never claimed
    /// for longer than `unclaimedFor` and not waiting in the outbox.
    func stalledCalls(unclaimedFor: Duration, limit: Int) async throws -> [UUID]
}

extension JobLeaseRepository {
    /// Completes without an archive (archiving off).
    public func complete(_ claim: JobClaim, with result: AnalysisResult) async throws -> FollowUps? {
        try await complete(claim, with: result, queueingArchive: false)
    }
}
