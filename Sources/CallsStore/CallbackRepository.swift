import CallsCore
import Foundation
import Logging
import PostgresNIO

/// A callback due: where to POST, and how many deliveries were tried.
public struct DueCallback: Sendable, Equatable {
    public var url: String
    public var attempts: Int

    public init(url: String, attempts: Int) {
        self.url = url
        self.attempts = attempts
    }
}

/// The PostgreSQL side of callback deliveries. A call's callback becomes `pending` when the call becomes
/// final (a trigger, migration 0007); deliveries then record their attempts here.
public protocol CallbackRepository: Sendable {
    /// The callback of `callID` if it is pending.
    func due(callID: UUID) async throws -> DueCallback?
    /// Counts a failed delivery; returns the attempts so far.
    func recordFailedAttempt(callID: UUID, error: String) async throws -> Int
    func markDelivered(callID: UUID) async throws
    /// Gives the callback up for good.
    func markFailed(callID: UUID, reason: String) async throws
    /// Pending callbacks untouched for `unclaimedFor`: due, but maybe lost with Redis' data.
    func stalledCallbacks(unclaimedFor: Duration, limit: Int) async throws -> [UUID]
}

public struct PostgresCallbackRepository: CallbackRepository {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func due(callID: UUID) async throws -> DueCallback? {
        try await client.query(
            "SELECT callback_url, callback_attempts FROM calls WHERE id = \(callID) AND callback_status = 'pending'",
            logger: logger
        ).decode((String, Int).self).collectAll().first.map { DueCallback(url: $0.0, attempts: $0.1) }
    }

    public func recordFailedAttempt(callID: UUID, error: String) async throws -> Int {
        try await client.query("""
            UPDATE calls SET callback_attempts = callback_attempts + 1, callback_error = \(error), callback_updated_at = now()
            WHERE id = \(callID) AND callback_status = 'pending'
            RETURNING callback_attempts
            """, logger: logger).decode(Int.self).collectAll().first ?? 0
    }

    public func markDelivered(callID: UUID) async throws {
        _ = try await client.query("""
            UPDATE calls SET callback_status = 'delivered', callback_attempts = callback_attempts + 1, callback_error = NULL,
                             callback_updated_at = now()
            WHERE id = \(callID) AND callback_status = 'pending'
            """, logger: logger).collect()
    }

    public func markFailed(callID: UUID, reason: String) async throws {
        _ = try await client.query("""
            UPDATE calls SET callback_status = 'failed', callback_error = \(reason), callback_updated_at = now()
            WHERE id = \(callID) AND callback_status = 'pending'
            """, logger: logger).collect()
    }

    public func stalledCallbacks(unclaimedFor: Duration, limit: Int) async throws -> [UUID] {
        let seconds = Double(unclaimedFor.components.seconds)
        return try await client.query("""
            SELECT id FROM calls
            WHERE callback_status = 'pending' AND callback_updated_at < now() - make_interval(secs => \(seconds))
            ORDER BY callback_updated_at
            LIMIT \(limit)
            """, logger: logger).decode(UUID.self).collectAll()
    }
}
