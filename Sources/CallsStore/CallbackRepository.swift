import CallsCore
import Foundation
import Logging
import PostgresNIO

/// A delivery's right to POST one callback and record its outcome, valid while `leaseToken` is the callback's
/// current token.
public struct CallbackClaim: Sendable, Equatable {
    public var callID: UUID
    public var leaseToken: Int64
    public var url: String
    /// Failed deliveries so far.
    public var attempts: Int

    public init(callID: UUID, leaseToken: Int64, url: String, attempts: Int) {
        self.callID = callID
        self.leaseToken = leaseToken
        self.url = url
        self.attempts = attempts
    }
}

public enum CallbackClaimOutcome: Sendable, Equatable {
    case claimed(CallbackClaim)
    /// Delivered, given up, or never owed: a duplicate delivery.
    case notDue
    /// Another worker's delivery of it is in flight.
    case leasedByAnother
}

/// The PostgreSQL side of callback deliveries. A call's callback becomes `pending` when the call becomes
/// final (a trigger, migration 0007); a delivery claims it with a lease (migration 0010), so one POST of it
/// is in flight at a time, and records its outcome under the claim's token.
public protocol CallbackRepository: Sendable {
    /// Claims the pending callback of `callID`. A worker may claim again what it holds (an outage interrupted
    /// its delivery and it retries in place); its own slots keep out of each other's way themselves.
    func claim(callID: UUID, worker: String, leaseSeconds: Int) async throws -> CallbackClaimOutcome
    /// Counts a failed delivery and gives the lease back, giving the callback up when this was attempt
    /// `maxAttempts`; returns the attempts so far, nil when fenced off.
    func recordFailedAttempt(_ claim: CallbackClaim, error: String, maxAttempts: Int) async throws -> Int?
    /// False when fenced off.
    func markDelivered(_ claim: CallbackClaim) async throws -> Bool
    /// Gives the callback up for good; false when fenced off.
    func markFailed(_ claim: CallbackClaim, reason: String) async throws -> Bool
    /// Gives up a callback no live lease protects (its job was dead-lettered before it could be claimed).
    func failUnclaimed(callID: UUID, reason: String) async throws -> Bool
    /// Gives back the lease `worker` holds on the callback, whatever its token. False when it held none.
    func releaseHeld(callID: UUID, worker: String) async throws -> Bool
    /// Puts a `failed` callback back to `pending` with its attempts reset, for an operator's retry; false when
    /// it was not failed.
    func resetForRetry(callID: UUID) async throws -> Bool
    /// Pending callbacks untouched for `unclaimedFor` and not leased: due, but maybe lost with Redis' data.
    func stalledCallbacks(unclaimedFor: Duration, limit: Int) async throws -> [UUID]
}

public struct PostgresCallbackRepository: CallbackRepository {
    let client: DatabaseClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger, deadline: Duration? = DatabaseDeadline.defaultLimit) {
        self.client = DatabaseClient(client, deadline: deadline)
        self.logger = logger
    }

    public func claim(callID: UUID, worker: String, leaseSeconds: Int) async throws -> CallbackClaimOutcome {
        let claimed = try await client.query("""
            UPDATE calls
            SET callback_lease_token = callback_lease_token + 1, callback_lease_owner = \(worker),
                callback_lease_expires_at = now() + make_interval(secs => \(Double(leaseSeconds))),
                callback_updated_at = now()
            WHERE id = \(callID) AND callback_status = 'pending'
              AND (callback_lease_expires_at IS NULL OR callback_lease_expires_at < now() OR callback_lease_owner = \(worker))
            RETURNING callback_lease_token, callback_url, callback_attempts
            """, logger: logger).decode((Int64, String, Int).self).collectAll()
        if let (token, url, attempts) = claimed.first {
            return .claimed(CallbackClaim(callID: callID, leaseToken: token, url: url, attempts: attempts))
        }
        let pending = try await client.query(
            "SELECT 1 FROM calls WHERE id = \(callID) AND callback_status = 'pending'", logger: logger
        ).collect()
        return pending.isEmpty ? .notDue : .leasedByAnother
    }

    /// The fence, here and in `markDelivered` and `markFailed`: the callback changes only while the claim's
    /// token is still its token.
    public func recordFailedAttempt(_ claim: CallbackClaim, error: String, maxAttempts: Int) async throws -> Int? {
        try await client.query("""
            UPDATE calls SET callback_attempts = callback_attempts + 1, callback_error = \(error), callback_updated_at = now(),
                             callback_status = CASE WHEN callback_attempts + 1 >= \(maxAttempts) THEN 'failed' ELSE 'pending' END,
                             callback_lease_owner = NULL, callback_lease_expires_at = NULL
            WHERE id = \(claim.callID) AND callback_status = 'pending' AND callback_lease_token = \(claim.leaseToken)
            RETURNING callback_attempts
            """, logger: logger).decode(Int.self).collectAll().first
    }

    public func markDelivered(_ claim: CallbackClaim) async throws -> Bool {
        try await !client.query("""
            UPDATE calls SET callback_status = 'delivered', callback_attempts = callback_attempts + 1, callback_error = NULL,
                             callback_updated_at = now(), callback_lease_owner = NULL, callback_lease_expires_at = NULL
            WHERE id = \(claim.callID) AND callback_status = 'pending' AND callback_lease_token = \(claim.leaseToken)
            RETURNING id
            """, logger: logger).collect().isEmpty
    }

    public func markFailed(_ claim: CallbackClaim, reason: String) async throws -> Bool {
        try await !client.query("""
            UPDATE calls SET callback_status = 'failed', callback_error = \(reason), callback_updated_at = now(),
                             callback_lease_owner = NULL, callback_lease_expires_at = NULL
            WHERE id = \(claim.callID) AND callback_status = 'pending' AND callback_lease_token = \(claim.leaseToken)
            RETURNING id
            """, logger: logger).collect().isEmpty
    }

    public func failUnclaimed(callID: UUID, reason: String) async throws -> Bool {
        try await !client.query("""
            UPDATE calls SET callback_status = 'failed', callback_error = \(reason), callback_updated_at = now(),
                             callback_lease_owner = NULL, callback_lease_expires_at = NULL
            WHERE id = \(callID) AND callback_status = 'pending'
              AND (callback_lease_expires_at IS NULL OR callback_lease_expires_at < now())
            RETURNING id
            """, logger: logger).collect().isEmpty
    }

    public func releaseHeld(callID: UUID, worker: String) async throws -> Bool {
        try await !client.query("""
            UPDATE calls SET callback_lease_owner = NULL, callback_lease_expires_at = NULL, callback_updated_at = now()
            WHERE id = \(callID) AND callback_status = 'pending' AND callback_lease_owner = \(worker)
            RETURNING id
            """, logger: logger).collect().isEmpty
    }

    public func resetForRetry(callID: UUID) async throws -> Bool {
        try await !client.query("""
            UPDATE calls SET callback_status = 'pending', callback_attempts = 0, callback_error = NULL,
                             callback_updated_at = now(), callback_lease_owner = NULL, callback_lease_expires_at = NULL
            WHERE id = \(callID) AND callback_status = 'failed'
            RETURNING id
            """, logger: logger).collect().isEmpty
    }

    public func stalledCallbacks(unclaimedFor: Duration, limit: Int) async throws -> [UUID] {
        let seconds = Double(unclaimedFor.components.seconds)
        return try await client.query("""
            SELECT id FROM calls
            WHERE callback_status = 'pending' AND callback_updated_at < now() - make_interval(secs => \(seconds))
              AND (callback_lease_expires_at IS NULL OR callback_lease_expires_at < now())
            ORDER BY callback_updated_at
            LIMIT \(limit)
            """, logger: logger).decode(UUID.self).collectAll()
    }
}
