import CallsCore
import CallsStore
import Foundation
import Synchronization

/// Checks the bearer key of a request against the stored keys.
///
/// What the database said about a key id is remembered for `cacheLifetime`, so a busy client costs one
/// lookup every few seconds per API node rather than one per request. The price: a revoked key keeps
/// working for up to that long. Unknown ids are remembered too, apart from the keys that exist: a flood of
/// made-up ids fills and empties only its own memory and never pushes a real key out. Lookups the memory
/// cannot answer are limited per client address (`KeyLookupThrottle`), so guessing keys costs the
/// database a bounded number of queries.
final class APIKeyAuthenticator: Sendable {
    struct Identity: Sendable, Equatable {
        var keyID: UUID
        var role: APIRole
    }

    private struct Remembered {
        var key: StoredAPIKey?
        var fetchedAt: ContinuousClock.Instant
    }

    /// Keys that exist, and ids that do not, each bounded on its own and forgotten whole when full.
    private struct Memory {
        var existing: [UUID: Remembered] = [:]
        var missing: [UUID: Remembered] = [:]

        subscript(id: UUID) -> Remembered? { existing[id] ?? missing[id] }

        mutating func remember(_ id: UUID, as remembered: Remembered, capacity: Int) {
            if remembered.key == nil {
                if missing.count >= capacity { missing.removeAll(keepingCapacity: true) }
                missing[id] = remembered
                existing[id] = nil
            } else {
                if existing.count >= capacity { existing.removeAll(keepingCapacity: true) }
                existing[id] = remembered
                missing[id] = nil
            }
        }
    }

    private let keys: any APIKeyRepository
    private let cacheLifetime: Duration
    private let cacheCapacity: Int
    private let memory = Mutex(Memory())
    private let throttle: KeyLookupThrottle?
    private let lookupDeadline: Duration

    init(
        keys: any APIKeyRepository, cacheLifetime: Duration = .seconds(5), cacheCapacity: Int = 10_000,
        throttle: KeyLookupThrottle? = nil, lookupDeadline: Duration = DatabaseDeadline.defaultLimit
    ) {
        self.keys = keys
        self.cacheLifetime = cacheLifetime
        self.cacheCapacity = cacheCapacity
        self.throttle = throttle
        self.lookupDeadline = lookupDeadline
    }

    var rememberedKeyIDs: (existing: Int, missing: Int) { memory.withLock { ($0.existing.count, $0.missing.count) } }

    /// The identity behind an `Authorization` header, or the 401 problem to answer with (429 when `client`
    /// has made too many lookups the memory could not answer).
    func authenticate(authorization: String?, client: String = "") async throws -> Identity {
        guard let authorization, !authorization.isEmpty else { throw Problem.authenticationRequired }
        guard let token = Self.bearerToken(authorization).flatMap(APIKeyToken.init(parsing:)) else {
            throw Problem.invalidAPIKey
        }
        let (stored, fetched) = try await storedKey(id: token.id, client: client)
        guard let key = stored, key.revokedAt == nil, token.matches(storedDigest: key.secretDigest) else {
            throw Problem.invalidAPIKey
        }
        if fetched {
            // Once per cache lifetime per node: enough for `keys list` to tell keys in use from idle ones.
            let keys = self.keys
            try await DatabaseDeadline.run(within: lookupDeadline) { try await keys.markUsed(id: key.id) }
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
    private func storedKey(id: UUID, client: String) async throws -> (StoredAPIKey?, fetched: Bool) {
        let now = ContinuousClock.now
        if let remembered = memory.withLock({ $0[id] }), now - remembered.fetchedAt < cacheLifetime {
            return (remembered.key, false)
        }
        if let wait = throttle?.take(client: client, now: now) { throw Problem.keyLookupsLimited(retryAfter: wait) }
        let keys = self.keys
        let key = try await DatabaseDeadline.run(within: lookupDeadline) { try await keys.find(id: id) }
        memory.withLock { $0.remember(id, as: Remembered(key: key, fetchedAt: now), capacity: cacheCapacity) }
        return (key, true)
    }
}
