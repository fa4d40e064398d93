import Foundation
import NIOCore
import NIOPosix

/// Recordings on the local filesystem under one root. Temporary files live in `<root>/.incoming` so that
/// publishing is a `rename(2)` within one filesystem: atomic, and never a copy.
public struct LocalRecordingStore: RecordingStore {
    public let root: String
    private let incoming: String
    private let ioPool: NIOThreadPool

    /// `ioPool` runs the blocking file calls; it must be started and outlive the store.
    public init(root: String, ioPool: NIOThreadPool) throws {
        let absolute = URL(fileURLWithPath: root).standardizedFileURL.path
        self.root = absolute
        self.incoming = absolute + "/.incoming"
        self.ioPool = ioPool
        do {
            try FileManager.default.createDirectory(atPath: incoming, withIntermediateDirectories: true)
        } catch {
            throw RecordingStoreError(.io, "cannot create the recordings directory \(incoming): \(error)")
        }
    }

    public func makeTemporaryRecording() async throws -> TemporaryRecording {
        let path = "\(incoming)/\(UUID().uuidString.lowercased()).part"
        return TemporaryRecording(path: path, ioPool: ioPool)
    }

    public func publish(_ temporary: TemporaryRecording, as key: String) async throws {
        let destination = try localPath(forKey: key)
        try await ioPool.runIfActive {
            let directory = (destination as NSString).deletingLastPathComponent
            // The day's directory almost always exists: one mkdir(2) says so, where FileManager stats every level.
            if mkdir(directory, 0o755) != 0, errno != EEXIST {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            // link(2) fails if the destination exists, unlike rename(2): an existing recording is never replaced.
            guard link(temporary.path, destination) == 0 else {
                let code = errno
                if code == EEXIST { throw RecordingStoreError(.alreadyExists, "\(key) already exists") }
                throw RecordingStoreError(.io, "cannot store \(key): \(String(cString: strerror(code)))")
            }
            unlink(temporary.path)
            Self.syncDirectory(directory)
        }
    }

    public func remove(key: String) async throws {
        let path = try localPath(forKey: key)
        try await ioPool.runIfActive {
            guard unlink(path) == 0 || errno == ENOENT else {
                throw RecordingStoreError(.io, "cannot remove \(key): \(String(cString: strerror(errno)))")
            }
        }
    }

    public func withLocalFile<T: Sendable>(forKey key: String, _ body: @Sendable (String) async throws -> T) async throws -> T {
        let path = try localPath(forKey: key)
        // One stat(2) inline: a trip to the I/O threads would cost more, and the analysis makes one anyway.
        try Self.checkExists(path, key: key)
        return try await body(path)
    }

    public func read(key: String, offset: Int64, length: Int64) async throws -> StoredBytes {
        let path = try localPath(forKey: key)
        let file = try await ioPool.runIfActive {
            try Self.checkExists(path, key: key)
            return try FileReader(path: path)
        }
        let pool = ioPool
        let cursor = ReadCursor(offset: offset, end: offset + length)
        return StoredBytes {
            guard let (at, count) = cursor.next(maximum: Self.readSize) else { return nil }
            let chunk = try await pool.runIfActive { try file.read(count: count, at: at) }
            guard chunk.readableBytes == count else {
                throw RecordingStoreError(.io, "\(key) ended before byte \(at + Int64(count))")
            }
            return chunk
        }
    }

    /// The API serves local recordings itself.
    public func directDownloadURL(key: String, expiresIn seconds: Int, filename: String, contentType: String) -> String? {
        nil
    }

    static let readSize = 256 * 1024

    private static func checkExists(_ path: String, key: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw RecordingStoreError(.notFound, "the recording \(key) is missing from storage")
        }
    }

    public func localPath(forKey key: String) throws -> String {
        guard RecordingKey.isValid(key) else { throw RecordingStoreError(.invalidKey, "invalid storage key \(key)") }
        return "\(root)/\(key)"
    }

    public func sweepIncoming(olderThan age: TimeInterval) throws -> Int {
        try ScratchFiles.sweep(incoming, olderThan: age)
    }

    /// Makes the new directory entry durable, so a power cut after the upload was acknowledged cannot lose it.
    private static func syncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
