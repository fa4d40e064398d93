import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// The first `length` bytes of a file as an async sequence of buffers, each read on a thread pool (not on
/// the caller's thread) when the consumer asks for it.
///
/// At most `maximumInFlight` chunks are held by the consumer at once: the HTTP client hands a chunk to its
/// event loop and asks for the next before the socket took it, so an event loop starved of CPU (two cores
/// shared with the API) let a 1 GB upload pile up 40–120 MB of chunks. Past the limit `next()` waits until
/// the oldest is released.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let path: String
    let length: Int64
    let chunkSize: Int
    let pool: NIOThreadPool
    let sent: @Sendable (Int64) -> Void
    var maximumInFlight = 8

    struct FileError: Error, CustomStringConvertible {
        var description: String
    }

    /// A chunk's storage, known to be released once nothing else holds it.
    private struct HandedOut {
        weak var storage: AnyObject?
    }

    final class AsyncIterator: AsyncIteratorProtocol {
        private let chunks: FileChunks
        private var descriptor: Int32 = -1
        private var offset: Int64 = 0
        private var handedOut: [HandedOut] = []

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
            try await waitForRoom()
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
            handedOut.append(HandedOut(storage: buffer.withUnsafeReadableBytesWithStorageManagement { $1.takeUnretainedValue() }))
            self.offset += Int64(buffer.readableBytes)
            chunks.sent(self.offset)
            return buffer
        }

        /// Nothing tells when the consumer lets go of a chunk, so a full window is looked at again every
        /// millisecond; only a consumer that fell behind ever waits.
        private func waitForRoom() async throws {
            while true {
                handedOut.removeAll { $0.storage == nil }
                if handedOut.count < chunks.maximumInFlight { return }
                try await Task.sleep(for: .milliseconds(1))
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(self)
    }
}
