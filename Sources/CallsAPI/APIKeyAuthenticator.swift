import CallsCore
import CallsStore
import Foundation
import Synchronization

/// Checks the bearer key of a request against the stored keys.
///
/// What the database said about a key id is remembered for `cacheLifetime`, so a busy client costs one
/// lookup every few seconds per API node rather than one per request. The price: a revoked key keeps
/// working for up to that long. Unknown ids are remembered too, so a flood of made-up keys cannot turn
/// into a flood of queries; the memory is bounded and simply forgotten when full.
final class APIKeyAuthenticator: Sendable {
    struct Identity: Sendable, Equatable {
        var keyID: UUID
        var role: APIRole
    }

    private struct Remembered {
        var key: StoredAPIKey?
        var fetchedAt: ContinuousClock.Instant
    }

    private let keys: any APIKeyRepository
    private let cacheLifetime: Duration
    private let cacheCapacity: Int
    private let cache = Mutex<[UUID: Remembered]>([:])

    init(keys: any APIKeyRepository, cacheLifetime: Duration = .seconds(5), cacheCapacity: Int = 10_000) {
        self.keys = keys
        self.cacheLifetime = cacheLifetime
        self.cacheCapacity = cacheCapacity
    }

    /// The identity behind an `Authorization` header, or the 401 problem to answer with.
    func authenticate(authorization: String?) async throws -> Identity {
        guard let authorization, !authorization.isEmpty else { throw Problem.authenticationRequired }
        guard let token = Self.bearerToken(authorization).flatMap(APIKeyToken.init(parsing:)) else {
            throw Problem.invalidAPIKey
        }
        let (stored, fetched) = try await storedKey(id: token.id)
        guard let key = stored, key.revokedAt == nil, token.matches(storedDigest: key.secretDigest) else {
            throw Problem.invalidAPIKey
        }
        if fetched {
            // Once per cache lifetime per node: enough for `keys list` to tell keys in use from idle ones.
            let keys = self.keys
            try await DatabaseDeadline.run(within: DatabaseDeadline.defaultLimit) { try await keys.markUsed(id: key.id) }
        }
        return Identity(keyID: key.id, role: key.role)
    }

    /// `Bearer <token>`, the scheme in any case (RFC 9110 §11.1).
    static func bearerToken(_ header: String) -> Substring? {
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1]
    }

    /// The key with this id, and whether it came from the database rather than from memory.
    private func storedKey(id: UUID) async throws -> (StoredAPIKey?, fetched: Bool) {
        let now = ContinuousClock.now
        if let remembered = cache.withLock({ $0[id] }), now - remembered.fetchedAt < cacheLifetime {
            return (remembered.key, false)
        }
        let keys = self.keys
        let key = try await DatabaseDeadline.run(within: DatabaseDeadline.defaultLimit) { try await keys.find(id: id) }
        cache.withLock { cache in
            if cache.count >= cacheCapacity { cache.removeAll(keepingCapacity: true) }
            cache[id] = Remembered(key: key, fetchedAt: now)
        }
        return (key, true)
    }
}
