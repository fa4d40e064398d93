import CallsCore
import Crypto
import Foundation
import NIOCore
import NIOPosix

/// An upload being written: appends go to a temporary file while the SHA-256 and the byte count are
/// computed on the way. Writes run on the store's I/O threads, never on an event loop.
///
/// Owned by one upload task at a time; the mutable state is only touched inside `ioPool` jobs that the owner
/// awaits one after another, which is why it can be `@unchecked Sendable`.
public final class TemporaryRecording: @unchecked Sendable {
    public let path: String
    private let ioPool: NIOThreadPool
    private var descriptor: Int32
    private var hasher = SHA256()
    public private(set) var byteCount: Int64 = 0
    /// Where the bytes whose writeback has not been started yet begin.
    private var writebackFrom: Int64 = 0

    /// The file is created by the first write, on the I/O threads, so a small upload costs no extra hop.
    init(path: String, ioPool: NIOThreadPool) {
        self.path = path
        self.ioPool = ioPool
        descriptor = -1
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    public func append(_ chunk: ByteBuffer) async throws {
        try await ioPool.runIfActive {
            try self.openIfNeeded()
            try chunk.withUnsafeReadableBytes { bytes in
                self.hasher.update(bufferPointer: bytes)
                try writeFully(bytes, to: self.descriptor, path: self.path)
            }
            self.byteCount += Int64(chunk.readableBytes)
            // In steps of a few MiB: each start is a round of I/O submission (a VM exit here), and the fsync
            // at the end then waits for one step at most.
            if self.byteCount - self.writebackFrom >= EarlyWriteback.step {
                EarlyWriteback.start(self.descriptor, offset: self.writebackFrom, count: Int(self.byteCount - self.writebackFrom))
                self.writebackFrom = self.byteCount
            }
        }
    }

    /// Flushes the data to disk, closes the file and runs `inspect` on it, all in one trip to the I/O threads;
    /// returns the hex SHA-256 of everything appended and what `inspect` found.
    public func finish<Inspection: Sendable>(
        inspecting inspect: @escaping @Sendable (_ path: String) throws -> Inspection
    ) async throws -> (sha256: String, inspection: Inspection) {
        try await ioPool.runIfActive {
            try self.openIfNeeded()
            defer {
                close(self.descriptor)
                self.descriptor = -1
            }
            guard fsync(self.descriptor) == 0 else {
                throw RecordingStoreError(.io, "cannot sync \(self.path): \(String(cString: strerror(errno)))")
            }
            let sha256 = Hex.encode(self.hasher.finalize())
            return (sha256, try inspect(self.path))
        }
    }

    private func openIfNeeded() throws {
        guard descriptor < 0 else { return }
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else {
            throw RecordingStoreError(.io, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Deletes the temporary file; safe to call more than once.
    public func discard() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        unlink(path)
    }
}
