import Foundation
import NIOCore

/// Reads of a file on the I/O threads, sequential or at an offset; one owner, reads awaited one after another.
final class FileReader: @unchecked Sendable {
    let size: Int64
    private var descriptor: Int32
    private var position: Int64 = 0

    init(path: String) throws {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw RecordingStoreError(.io, "cannot open \(path): \(String(cString: strerror(errno)))") }
        var status = stat()
        fstat(descriptor, &status)
        size = Int64(status.st_size)
    }

    /// Up to `count` bytes from `offset`, without moving the sequential position; fewer only at the end.
    func read(count: Int, at offset: Int64) throws -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        while buffer.readableBytes < count {
            let wanted = count - buffer.readableBytes
            let position = off_t(offset) + off_t(buffer.readableBytes)
            var failure: Int32 = 0
            let got = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { bytes in
                let read = pread(descriptor, bytes.baseAddress, min(bytes.count, wanted), position)
                if read < 0 { failure = errno }
                return max(read, 0)
            }
            if failure == EINTR { continue }
            if failure != 0 { throw RecordingStoreError(.io, "cannot read: \(String(cString: strerror(failure)))") }
            if got == 0 { break }
        }
        return buffer
    }

    /// The next `count` bytes after the previous sequential read; fewer only at the end of the file.
    func read(count: Int) throws -> ByteBuffer {
        let buffer = try read(count: count, at: position)
        position += Int64(buffer.readableBytes)
        return buffer
    }

    func close() {
        if descriptor >= 0 { Foundation.close(descriptor) }
        descriptor = -1
    }

    deinit {
        close()
    }
}

/// Appends to a new file on the I/O threads; one owner, writes awaited one after another.
final class FileWriter: @unchecked Sendable {
    private var descriptor: Int32
    private let path: String

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw RecordingStoreError(.io, "cannot create \(path): \(String(cString: strerror(errno)))") }
    }

    func write(_ chunk: ByteBuffer) throws {
        try chunk.withUnsafeReadableBytes { try writeFully($0, to: descriptor, path: path) }
    }

    func close() {
        if descriptor >= 0 { Foundation.close(descriptor) }
        descriptor = -1
    }
}

/// Writes all of `bytes`, however many `write(2)` calls that takes.
func writeFully(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, path: String) throws {
    var offset = 0
    while offset < bytes.count {
        let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
        if written < 0 {
            if errno == EINTR { continue }
            throw RecordingStoreError(.io, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        offset += written
    }
}
