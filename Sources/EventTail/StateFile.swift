import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The tailer's position on disk, replaced atomically (temporary file, fsync, rename, fsync of the directory):
/// after a crash or power loss it names either the previous position or the new one, never a torn mix.
public struct StateFile: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Nil when there is no state file yet.
    public func load() throws -> TailPosition? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(TailPosition.self, from: data)
        } catch {
            throw TailError.invalidStateFile("\(path) is not a tailer state (\(error)); remove it or use --start")
        }
    }

    public func save(_ position: TailPosition) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(position) + [UInt8(ascii: "\n")]
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw TailError.io("open \(temporary)", errno) }
        do {
            defer { close(descriptor) }
            try data.withUnsafeBytes { bytes in
                var written = 0
                while written < bytes.count {
                    let result = write(descriptor, bytes.baseAddress! + written, bytes.count - written)
                    guard result > 0 else { throw TailError.io("write \(temporary)", errno) }
                    written += result
                }
            }
            guard fsync(descriptor) == 0 else { throw TailError.io("fsync \(temporary)", errno) }
        }
        guard rename(temporary, path) == 0 else { throw TailError.io("rename \(temporary)", errno) }
        try Self.syncDirectory(of: path)
    }

    /// The rename is durable only once the directory entry is.
    private static func syncDirectory(of path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw TailError.io("open \(directory)", errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw TailError.io("fsync \(directory)", errno) }
    }
}
