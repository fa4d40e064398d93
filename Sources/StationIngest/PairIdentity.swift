import Crypto

/// Who a pair is, across restarts and retries: its station, its metadata file's name and that file's content.
/// The same three always give the same `Idempotency-Key`, so a create repeated after a crash or a lost answer
/// gets the call the first one made; a file rewritten with other content is another pair.
public struct PairIdentity: Sendable, Equatable {
    public var station: String
    public var fileName: String
    public var metadataSHA256: String

    public init(station: String, fileName: String, metadataBytes: [UInt8]) {
        self.station = station
        self.fileName = fileName
        metadataSHA256 = Self.hex(SHA256.hash(data: metadataBytes))
    }

    /// `ingest-` and the SHA-256 of the three parts (each length-prefixed, so no two triples collide): 71
    /// printable ASCII characters, within the API's 255 whatever the station's or the file's name.
    public var idempotencyKey: String {
        var bytes: [UInt8] = []
        for part in [station, fileName, metadataSHA256] {
            bytes += Array("\(part.utf8.count):".utf8) + Array(part.utf8)
        }
        return "ingest-" + Self.hex(SHA256.hash(data: bytes))
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
        }.joined()
    }
}
