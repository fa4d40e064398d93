import Crypto

/// Who a pair is, across restarts and retries: its station, the watched directory it was found in, its
/// metadata file's name and that file's content. The same four always give the same `Idempotency-Key`, so a
/// create repeated after a crash or a lost answer gets the call the first one made; a file rewritten with other
/// content, or the same file in another watched directory, is another pair.
public struct PairIdentity: Sendable, Equatable {
    public var station: String
    /// Absolute and standardised (`StandardPath`): two spellings of one directory give one key.
    public var directory: String
    public var fileName: String
    public var metadataSHA256: String

    public init(station: String, directory: String, fileName: String, metadataBytes: [UInt8]) {
        self.station = station
        self.directory = StandardPath.absolute(directory)
        self.fileName = fileName
        metadataSHA256 = SHA256.hash(data: metadataBytes).hexadecimal
    }

    /// `ingest-` and the SHA-256 of the four parts (each length-prefixed, so no two quadruples collide): 71
    /// printable ASCII characters, within the API's 255 whatever the names.
    public var idempotencyKey: String {
        Self.key(of: [station, directory, fileName, metadataSHA256])
    }

    /// The key before it held the directory. A journal written by such a version holds unfinished pairs under
    /// it, and their calls were created with it; `PairDelivery` goes on with it for exactly those pairs.
    public var keyWithoutDirectory: String {
        Self.key(of: [station, fileName, metadataSHA256])
    }

    private static func key(of parts: [String]) -> String {
        var bytes: [UInt8] = []
        for part in parts {
            bytes += Array("\(part.utf8.count):".utf8) + Array(part.utf8)
        }
        return "ingest-" + SHA256.hash(data: bytes).hexadecimal
    }
}
