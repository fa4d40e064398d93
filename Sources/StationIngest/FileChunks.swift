import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// The first `length` bytes of a file as an async sequence of buffers, each read only when the consumer asks
/// for it: the HTTP client asks for the next one once the previous is written to the socket, so at most a
/// few chunks are in memory whatever the file's size. Reads run on a thread pool, not on the caller's thread.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let path: String
    let length: Int64
    let chunkSize: Int
    let pool: NIOThreadPool
    let sent: @Sendable (Int64) -> Void

    struct FileError: Error, CustomStringConvertible {
        var description: String
    }

    final class AsyncIterator: AsyncIteratorProtocol {
        private let chunks: FileChunks
        private var descriptor: Int32 = -1
        private var offset: Int64 = 0

        init(_ chunks: FileChunks) {
            self.chunks = chunks
        }

        deinit {
            if descriptor >= 0 { close(descriptor) }
        }

        func next() async throws -> ByteBuffer? {
            guard offset < chunks.length else { return nil }
            if descriptor < 0 {
                descriptor = open(chunks.path, O_RDONLY | O_CLOEXEC)
                guard descriptor >= 0 else { throw FileError(description: "cannot open \(chunks.path): errno \(errno)") }
            }
            let count = Int(Swift.min(Int64(chunks.chunkSize), chunks.length - offset))
            let (descriptor, offset, path) = (self.descriptor, self.offset, chunks.path)
            let buffer = try await chunks.pool.runIfActive {
                var buffer = ByteBufferAllocator().buffer(capacity: count)
                var failure: Int32 = 0
                let read = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { pointer in
                    let result = pread(descriptor, pointer.baseAddress, count, off_t(offset))
                    if result < 0 { failure = errno }
                    return Swift.max(result, 0)
                }
                guard read > 0 else { throw FileError(description: "\(path) ended or failed at byte \(offset) (errno \(failure))") }
                return buffer
            }
            self.offset += Int64(buffer.readableBytes)
            chunks.sent(self.offset)
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(self)
    }
}
