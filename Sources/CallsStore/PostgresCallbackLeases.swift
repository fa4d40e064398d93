import CallsCore
import Foundation
import Logging
import PostgresNIO

/// `CallbackLeases` over PostgreSQL, on the call's callback columns.
public struct PostgresCallbackLeases: CallbackLeases {
    let client: DatabaseClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger, deadline: Duration? = DatabaseDeadline.defaultLimit) {
        self.client = DatabaseClient(client, deadline: deadline)
        self.logger = logger
    }

    /// A worker may claim again what it holds (an outage interrupted its delivery and it retries in place); its
    /// own slots keep out of each other's way themselves.
    public func claim(callID: UUID, worker: String, leaseSeconds: Int) async throws -> ClaimResult<CallbackClaim> {
        try await client.bounded { try await claimUnbounded(callID: callID, worker: worker, leaseSeconds: leaseSeconds) }
    }

    private func claimUnbounded(callID: UUID, worker: String, leaseSeconds: Int) async throws -> ClaimResult<CallbackClaim> {
        let claimed = try await client.query(
            """
            UPDATE calls
            SET callback_lease_token = callback_lease_token + 1, callback_lease_owner = \(worker),
                callback_lease_expires_at = now() + make_interval(secs => \(Double(leaseSeconds))),
                callback_updated_at = now()
            WHERE id = \(callID) AND callback_status = 'pending'
              AND (callback_lease_expires_at IS NULL OR callback_lease_expires_at < now() OR callback_lease_owner = \(worker))
            RETURNING callback_lease_token, callback_url, callback_attempts
            """, logger: logger
        ).decode((Int64, String, Int).self).collectAll()
        if let (token, url, attempts) = claimed.first {
            return .claimed(CallbackClaim(callID: callID, leaseToken: token, url: url, attempts: attempts))
        }
        let pending = try await client.query(
            "SELECT 1 FROM calls WHERE id = \(callID) AND callback_status = 'pending'", logger: logger
        ).collect()
        return pending.isEmpty ? .nothingToDo("no callback due") : .leasedByAnother
    }

    /// The fence, here and in every write below: the callback changes only while the claim's token is still
    /// its token.
    public func complete(_ claim: CallbackClaim, with delivered: Void) async throws -> WorkCommit {
        try await client.query(
            """
            UPDATE calls SET callback_status = 'delivered', callback_attempts = callback_attempts + 1, callback_error = NULL,
                             callback_updated_at = now(), callback_lease_owner = NULL, callback_lease_expires_at = NULL
            WHERE id = \(claim.callID) AND callback_status = 'pending' AND callback_lease_token = \(claim.leaseToken)
            RETURNING id
            """, logger: logger
        ).collect().isEmpty ? .fenced : .committed([])
    }

    public func release(_ claim: CallbackClaim, reason: String) async throws -> Bool {
        try await recordFailedDelivery(claim, error: reason, givingUp: false)
    }

    public func fail(_ claim: CallbackClaim, reason: String) async throws -> FollowUps? {
        try await recordFailedDelivery(claim, error: reason, givingUp: true) ? [] : nil
    }

    private func recordFailedDelivery(_ claim: CallbackClaim, error: String, givingUp: Bool) async throws -> Bool {
        try await !client.query(
            """
            UPDATE calls SET callback_attempts = callback_attempts + 1, callback_error = \(error), callback_updated_at = now(),
                             callback_status = CASE WHEN \(givingUp) THEN 'failed' ELSE 'pending' END,
                             callback_lease_owner = NULL, callback_lease_expires_at = NULL
            WHERE id = \(claim.callID) AND callback_status = 'pending' AND callback_lease_token = \(claim.leaseToken)
            RETURNING id
            """, logger: logger
        ).collect().isEmpty
    }

    public func refuse(_ claim: CallbackClaim, reason: String) async throws -> Bool {
        try await !client.query(
            """
            UPDATE calls SET callback_status = 'failed', callback_error = \(reason), callback_updated_at = now(),
                             callback_lease_owner = NULL, callback_lease_expires_at = NULL
            WHERE id = \(claim.callID) AND callback_status = 'pending' AND callback_lease_token = \(claim.leaseToken)
            RETURNING id
            """, logger: logger
        ).collect().isEmpty
    }

    public func failUnclaimed(callID: UUID, reason: String) async throws -> Bool {
        try await !client.query(
            """
            UPDATE calls SET callback_lease_token = callback_lease_token + 1, callback_status = 'failed', callback_error = \(reason), callback_updated_at = now(),
                             callback_lease_owner = NULL, callback_lease_expires_at = NULL
            WHERE id = \(callID) AND callback_status = 'pending'
              AND (callback_lease_expires_at IS NULL OR callback_lease_expires_at < now())
            RETURNING id
            """, logger: logger
        ).collect().isEmpty
    }

    public func releaseHeld(callID: UUID, worker: String) async throws -> Bool {
        try await !client.query(
            """
            UPDATE calls SET callback_lease_owner = NULL, callback_lease_expires_at = NULL, callback_updated_at = now()
            WHERE id = \(callID) AND callback_status = 'pending' AND callback_lease_owner = \(worker)
            RETURNING id
            """, logger: logger
        ).collect().isEmpty
    }

    public func resetForRetry(callID: UUID) async throws -> Bool {
        try await !client.query(
            """
            UPDATE calls SET callback_lease_token = callback_lease_token + 1, callback_status = 'pending', callback_attempts = 0, callback_error = NULL,
                             callback_updated_at = now(), callback_lease_owner = NULL, callback_lease_expires_at = NULL
            WHERE id = \(callID) AND callback_status = 'failed'
            RETURNING id
            """, logger: logger
        ).collect().isEmpty
    }
}
