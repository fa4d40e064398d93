/// A checksum of the first bytes of a generation (up to `maxLength`), kept with the position: an inode number
/// is reused once its file is deleted and closed, and the file the PBX creates next may get it. At start-up a
/// file with the remembered inode is the remembered generation only if it also begins with the same bytes.
public struct Fingerprint: Equatable, Sendable, Codable {
    public static let maxLength = 256

    public var length: Int
    /// FNV-1a, 64 bits, of the first `length` bytes.
    public var hash: UInt64

    public static let empty = Fingerprint(of: [])

    public init(of bytes: some Collection<UInt8>) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        length = bytes.count
        self.hash = hash
    }
}

extension OpenGeneration {
    /// The fingerprint of the first `min(length, Fingerprint.maxLength)` bytes.
    func fingerprint(length: Int64) throws -> Fingerprint {
        var head = [UInt8](repeating: 0, count: Int(min(length, Int64(Fingerprint.maxLength))))
        var filled = 0
        while filled < head.count {
            var chunk = [UInt8](repeating: 0, count: head.count - filled)
            let count = try read(into: &chunk, at: Int64(filled))
            if count == 0 { break }
            head.replaceSubrange(filled..<filled + count, with: chunk[0..<count])
            filled += count
        }
        return Fingerprint(of: head[0..<filled])
    }
}
