#if canImport(Glibc)
import Glibc
#endif

/// The POSIX calls under the journal, with the sync step replaceable so tests can see it run and fail.
struct JournalFile {
    let path: String
    let sync: @Sendable (Int32) -> Int32

    func readAll() throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return [] }
            throw JournalError.io("open \(path)", errno)
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw JournalError.io("read \(path)", errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    func openForAppending() throws -> Int32 {
        let existed = access(path, F_OK) == 0
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw JournalError.io("open \(path)", errno) }
        if !existed {
            do { try syncDirectory() } catch {
                close(descriptor)
                throw error
            }
        }
        return descriptor
    }

    /// Writes every byte, then syncs: the line is durable when this returns.
    func append(_ bytes: [UInt8], to descriptor: Int32) throws {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                throw JournalError.io("write \(path)", errno)
            }
            written += result
        }
        guard sync(descriptor) == 0 else { throw JournalError.io("fsync \(path)", errno) }
    }

    /// Replaces the file by `bytes` atomically: a temporary file, synced, renamed over it, the directory synced.
    func replace(with bytes: [UInt8]) throws {
        let temporary = path + ".compacting"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw JournalError.io("open \(temporary)", errno) }
        do {
            defer { close(descriptor) }
            try append(bytes, to: descriptor)
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else { throw JournalError.io("rename \(temporary)", errno) }
        try syncDirectory()
    }

    func truncate(to size: Int) throws {
        guard Glibc.truncate(path, off_t(size)) == 0 else { throw JournalError.io("truncate \(path)", errno) }
    }

    func syncDirectory() throws {
        let directory: String
        if let slash = path.lastIndex(of: "/") {
            directory = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            directory = "."
        }
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw JournalError.io("open \(directory)", errno) }
        defer { close(descriptor) }
        guard sync(descriptor) == 0 else { throw JournalError.io("fsync \(directory)", errno) }
    }
}
