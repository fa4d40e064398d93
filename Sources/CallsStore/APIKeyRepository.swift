import CallsCore
import Foundation

/// An API key as stored: never its secret, only the secret's digest.
public struct StoredAPIKey: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var role: APIRole
    public var secretDigest: [UInt8]
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public init(
        id: UUID, name: String, role: APIRole, secretDigest: [UInt8], createdAt: Date,
        lastUsedAt: Date? = nil, revokedAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.secretDigest = secretDigest
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}

public protocol APIKeyRepository: Sendable {
    /// Stores a new key of `role` and returns it with its text, which is shown once and never stored.
    func create(role: APIRole, name: String) async throws -> (StoredAPIKey, APIKeyToken)
    /// The key, revoked or not; nil if there is none with this id.
    func find(id: UUID) async throws -> StoredAPIKey?
    /// Every key, newest first.
    func list() async throws -> [StoredAPIKey]
    /// Nil if no key has this id; else the key, revoked now or earlier.
    func revoke(id: UUID) async throws -> StoredAPIKey?
    /// Records that the key was just used (for `keys list`; callers do it at most every few seconds).
    func markUsed(id: UUID) async throws
}
