#if canImport(Glibc)
import Glibc
#endif

/// A generation of the log held open: the descriptor keeps it readable after it is renamed, and even after it
/// is deleted, so lines the PBX writes to it after a rotation are still read.
final class OpenGeneration {
    let descriptor: Int32
    let identity: FileIdentity

    /// Nil when nothing (or no regular file) is at `path`.
    init?(path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw TailError.io("open \(path)", errno)
        }
        guard let status = try? FileStatus.of(descriptor: descriptor), status.isRegularFile else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
        identity = status.identity
    }

    deinit {
        close(descriptor)
    }

    func size() throws -> Int64 {
        try FileStatus.of(descriptor: descriptor).size
    }

    /// Reads at most `buffer.count` bytes at `offset`; 0 at the end of the file.
    func read(into buffer: inout [UInt8], at offset: Int64) throws -> Int {
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
        guard count >= 0 else { throw TailError.io("read", errno) }
        return count
    }

    /// The position just after the last `\n` before `size`: where `--start end` begins, so that it never sends
    /// the end of a line whose start it skipped.
    func endOfLastLine(before size: Int64) throws -> Int64 {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var end = size
        while end > 0 {
            let start = max(0, end - Int64(buffer.count))
            let count = try read(into: &buffer, at: start)
            let length = min(count, Int(end - start))
            if let index = buffer[0..<length].lastIndex(of: UInt8(ascii: "\n")) { return start + Int64(index) + 1 }
            end = start
        }
        return 0
    }
}
