import Crypto
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// The SHA-256 of a file, read a chunk at a time on a thread pool: only the check of an upload whose answer was
/// lost needs it, and then the file may be gigabytes, so it is never held whole.
enum FileDigest {
    struct ReadError: Error, CustomStringConvertible {
        var description: String
    }

    static func sha256(ofFileAt path: String, chunkSize: Int = 1 << 20, pool: NIOThreadPool = .singleton) async throws -> String {
        try await pool.runIfActive { try sha256(reading: path, chunkSize: chunkSize) }
    }

    /// Blocking: reads `path` to its end in `chunkSize` reads.
    static func sha256(reading path: String, chunkSize: Int) throws -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ReadError(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, chunkSize) }
            if count == 0 { return hasher.finalize().hexadecimal }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReadError(description: "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        }
    }
}
