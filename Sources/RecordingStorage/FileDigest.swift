import CallsCore
import Crypto
import Foundation

/// The SHA-256 of a file on disk, read in large blocks. Blocking: call it on an I/O thread.
public enum FileDigest {
    public static func sha256Hex(ofFileAt path: String) throws -> String {
        let file = try FileReader(path: path)
        defer { file.close() }
        var hasher = SHA256()
        while true {
            let chunk = try file.read(count: 1 << 20)
            guard chunk.readableBytes > 0 else { break }
            chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        }
        return Hex.encode(hasher.finalize())
    }
}
