import CallsCore
import Foundation
import PostgresNIO

extension PostgresCallRepository {
    /// The key and the call are inserted by one statement, the call only if the key was new; concurrent
    /// requests with one key wait on its row, and all but the first find it taken.
    func create(_ call: NewCall, idempotencyKey key: String) async throws -> CallCreation {
        try await client.bounded { try await createOnce(call, idempotencyKey: key) }
    }

    private func createOnce(_ call: NewCall, idempotencyKey key: String) async throws -> CallCreation {
        let fingerprint = call.fingerprint
        let station = call.station
        // A key taken by a call deleted in between is free again: try once more.
        for _ in 0..<2 {
            let id = UUID()
            let created = try await client.query(
                """
                WITH k AS (
                    INSERT INTO idempotency_keys (key, fingerprint, call_id) VALUES (\(key), \(fingerprint), \(id))
                    ON CONFLICT (key) DO NOTHING
                    RETURNING call_id
                ), c AS (
                    INSERT INTO calls (id, caller, receiver, caller_digits, receiver_digits, started_at, tags, callback_url,
                                       \(unescaped: Self.stationColumns))
                    SELECT \(id), \(call.caller), \(call.receiver), \(call.callerDigits), \(call.receiverDigits),
                           \(call.startedAt), \(call.tags), \(call.callbackURL), \(station?.name), \(station?.callID),
                           \(station?.direction), \(station?.answeredAt), \(station?.endedAt), \(station?.hangupCause),
                           \(station?.durationSec), \(station?.billableSec)
                    WHERE EXISTS (SELECT 1 FROM k)
                    RETURNING *
                )
                SELECT \(unescaped: CallRow.columns) FROM c \(unescaped: CallRow.recordingJoins)
                """, logger: logger)
            if let call = try await CallRow.decodeAll(created).first { return .created(call) }
            let existing = try await client.query(
                "SELECT fingerprint, call_id FROM idempotency_keys WHERE key = \(key)", logger: logger
            ).decode((String, UUID).self).collectAll()
            guard let (storedFingerprint, callID) = existing.first else { continue }
            guard call.matches(storedFingerprint: storedFingerprint) else { return .keyReused }
            if let call = try await find(id: callID) { return .replayed(call) }
        }
        throw PostgresStoreError("idempotency key \(key) kept changing hands")
    }
}
