import CallsCore
import Crypto
import Foundation

/// The text of an API key: `calls_`, the key's id (32 hex digits), `_`, and a secret of 32 random bytes (64
/// hex digits). The id finds the stored key; only the SHA-256 of the secret is stored. A plain hash is
/// enough: the secret is 256 random bits, not a password someone chose, so there is no guessing for a slow
/// hash to slow down.
public struct APIKeyToken: Sendable, Equatable {
    public let id: UUID
    public let secret: [UInt8]

    static let prefix = "calls_"
    static let secretByteCount = 32

    public static func generate() -> APIKeyToken {
        APIKeyToken(id: UUID(), secret: SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
    }

    init(id: UUID, secret: [UInt8]) {
        self.id = id
        self.secret = secret
    }

    /// Nil unless `text` is exactly the shape above.
    public init?(parsing text: Substring) {
        guard text.hasPrefix(Self.prefix) else { return nil }
        let parts = text.dropFirst(Self.prefix.count).split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count == 32, let idBytes = Hex.decode(String(parts[0])),
            let secret = Hex.decode(String(parts[1])), secret.count == Self.secretByteCount
        else { return nil }
        let id = idBytes.withUnsafeBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) }
        self.init(id: id, secret: secret)
    }

    public var text: String {
        let idBytes = withUnsafeBytes(of: id.uuid) { Array($0) }
        return Self.prefix + Hex.encode(idBytes) + "_" + Hex.encode(secret)
    }

    public var secretDigest: [UInt8] { Array(SHA256.hash(data: secret)) }

    /// Whether `storedDigest` is this secret's digest, in time that does not depend on where they differ.
    public func matches(storedDigest: [UInt8]) -> Bool {
        let digest = secretDigest
        guard storedDigest.count == digest.count else { return false }
        var difference: UInt8 = 0
        for index in digest.indices { difference |= digest[index] ^ storedDigest[index] }
        return difference == 0
    }
}
