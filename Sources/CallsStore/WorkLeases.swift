import Foundation

/// A worker's right to do one piece of leased work on a call (its analysis, its archive, its callback), valid
/// while `leaseToken` is the work's current token.
public protocol WorkClaim: Sendable, Equatable {
    var callID: UUID { get }
    var leaseToken: Int64 { get }
    /// This attempt's number, counted from 1.
    var attempt: Int { get }
}

public enum ClaimResult<Claim: WorkClaim>: Sendable, Equatable {
    case claimed(Claim)
    /// A duplicate delivery: the work is finished, given up, or gone (the reason says which).
    /// `leftoverObject` is a stored object a crash kept the finished work from removing (remove it again).
    case nothingToDo(String, leftoverObject: String? = nil)
    /// Another worker holds a live lease on the work.
    case leasedByAnother
}

public enum WorkCommit: Sendable, Equatable {
    /// Written; the work it made due follows.
    case committed(FollowUps)
    /// A newer claim exists; nothing was written.
    case fenced
    /// The call was deleted meanwhile; nothing was written.
    case gone
}

/// The PostgreSQL side of one job kind: claims with a lease, and commits fenced by the claim's token. Every
/// kind speaks this one vocabulary; the leases' upkeep across kinds is `LeaseKeeper`'s.
public protocol WorkLeases<Claim, Product>: Sendable {
    associatedtype Claim: WorkClaim
    /// What the work produces and `complete` records.
    associatedtype Product: Sendable

    /// Claims the work. A worker may claim again what it holds: after an outage interrupted it, it retries
    /// the whole job in place, and must neither find its own lease in the way nor spend an attempt.
    func claim(callID: UUID, worker: String, leaseSeconds: Int) async throws -> ClaimResult<Claim>
    /// Records the product, only if `claim` still holds the lease.
    func complete(_ claim: Claim, with product: Product) async throws -> WorkCommit
    /// This attempt failed: gives the claim back for a later one, recording `reason` meanwhile. False when
    /// fenced off.
    func release(_ claim: Claim, reason: String) async throws -> Bool
    /// This attempt failed and was the last: gives the work up for good. Returns the work that made due, nil
    /// when fenced off.
    func fail(_ claim: Claim, reason: String) async throws -> FollowUps?
    /// Gives back the lease `worker` holds on the work, whatever its token: the worker cannot get past an
    /// error and must stop renewing it. False when it held none.
    func releaseHeld(callID: UUID, worker: String) async throws -> Bool
    /// Gives up work that no live lease protects (its job was dead-lettered before it could be claimed). Like
    /// `resetForRetry`, it moves the token on, so a claim older than the change can record nothing after it.
    func failUnclaimed(callID: UUID, reason: String) async throws -> Bool
    /// Puts work given up back to due with its attempts reset, for an operator's retry; false when it was not
    /// given up.
    func resetForRetry(callID: UUID) async throws -> Bool
}

/// Keeps the leases of every kind: renews a live worker's, ends a dead one's, and finds work that is due
/// but that no live worker holds.
public protocol LeaseKeeper: Sendable {
    /// Renews the leases of everything `worker` is processing; returns how many.
    func extendLeases(worker: String, leaseSeconds: Int) async throws -> Int
    /// Ends the leases of everything the given dead workers were processing, so the next delivery can claim it
    /// at once instead of waiting out the lease; returns how many. Should one of them be alive after all (a
    /// long pause), the fencing token refuses its late commit.
    func expireLeases(workers: [String]) async throws -> Int
    /// Work due that no live worker holds: leases that expired, or work never claimed for longer than
    /// `unclaimedFor` (and, for analyses, not waiting in the outbox).
    func stalledWork(unclaimedFor: Duration, limit: Int) async throws -> StalledWork
    /// How long the oldest call still `processing` (its analysis due) has waited since it was queued or last
    /// touched: the backlog figure of metrics and readiness, analyses only.
    func oldestUnfinishedAge() async throws -> Duration?
}

/// Calls whose work of each kind is stalled (see `LeaseKeeper.stalledWork`).
public struct StalledWork: Sendable, Equatable {
    public var analyses: [UUID]
    public var archives: [UUID]
    public var callbacks: [UUID]

    public init(analyses: [UUID] = [], archives: [UUID] = [], callbacks: [UUID] = []) {
        self.analyses = analyses
        self.archives = archives
        self.callbacks = callbacks
    }
}
