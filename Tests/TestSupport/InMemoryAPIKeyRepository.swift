import CallsCore
import CallsStore
import Foundation
import Synchronization

/// The in-memory twin of `PostgresAPIKeyRepository`, for route tests; counts lookups so tests can see the
/// authenticator's memory at work.
public final class InMemoryAPIKeyRepository: APIKeyRepository {
    private struct State {
        var keys: [UUID: StoredAPIKey] = [:]
        var lookups = 0
    }

    private let state = Mutex(State())

    public init() {}

    public func create(role: APIRole, name: String) async throws -> (StoredAPIKey, APIKeyToken) {
        let token = APIKeyToken.generate()
        let key = StoredAPIKey(id: token.id, name: name, role: role, secretDigest: token.secretDigest, createdAt: Date())
        state.withLock { $0.keys[key.id] = key }
        return (key, token)
    }

    public func find(id: UUID) async throws -> StoredAPIKey? {
        state.withLock { state in
            state.lookups += 1
            return state.keys[id]
        }
    }

    public func list() async throws -> [StoredAPIKey] {
        state.withLock { $0.keys.values.sorted { $0.createdAt > $1.createdAt } }
    }

    public func revoke(id: UUID) async throws -> StoredAPIKey? {
        state.withLock { state in
            guard var key = state.keys[id] else { return nil }
            key.revokedAt = key.revokedAt ?? Date()
            state.keys[id] = key
            return key
        }
    }

    public func markUsed(id: UUID) async throws {
        state.withLock { $0.keys[id]?.lastUsedAt = Date() }
    }

    public var lookups: Int { state.withLock { $0.lookups } }
}
