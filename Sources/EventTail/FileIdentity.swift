#if canImport(Glibc)
import Glibc
#endif

/// One generation of a log is one inode, whatever name it has now: a renamed log keeps its identity, the file
/// created in its place has a new one.
public struct FileIdentity: Hashable, Sendable, CustomStringConvertible {
    public var device: UInt64
    public var inode: UInt64

    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    public var description: String { "\(device):\(inode)" }
}

/// What `stat` says about a file that matters to the follower.
struct FileStatus {
    var identity: FileIdentity
    var size: Int64
    var isRegularFile: Bool

    init(_ status: stat) {
        identity = FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
        size = Int64(status.st_size)
        isRegularFile = (mode_t(status.st_mode) & mode_t(S_IFMT)) == mode_t(S_IFREG)
    }

    /// Nil when nothing is at `path` (between a rename and the creation of the next generation).
    static func at(_ path: String) -> FileStatus? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return FileStatus(status)
    }

    static func of(descriptor: Int32) throws -> FileStatus {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw TailError.io("fstat", errno) }
        return FileStatus(status)
    }
}
