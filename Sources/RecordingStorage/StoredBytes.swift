import AsyncHTTPClient
import NIOCore
import Synchronization

/// Bytes of a stored object, produced one chunk per iteration step by `next` (nil at the end).
public struct StoredBytes: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    private let next: @Sendable () async throws -> ByteBuffer?

    init(_ next: @escaping @Sendable () async throws -> ByteBuffer?) {
        self.next = next
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let next: @Sendable () async throws -> ByteBuffer?

        public mutating func next() async throws -> ByteBuffer? {
            try await next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(next: next)
    }
}

/// Which bytes of a range are still to be read.
final class ReadCursor: Sendable {
    private let state: Mutex<(position: Int64, end: Int64)>

    init(offset: Int64, end: Int64) {
        state = Mutex((offset, end))
    }

    /// The next chunk's offset and size, at most `maximum` bytes; nil when the range is done.
    func next(maximum: Int) -> (Int64, Int)? {
        state.withLock { state in
            guard state.position < state.end else { return nil }
            let count = Int(min(Int64(maximum), state.end - state.position))
            defer { state.position += Int64(count) }
            return (state.position, count)
        }
    }
}

/// An HTTP response body read by one consumer at a time.
final class BodyCursor: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator

    init(_ body: HTTPClientResponse.Body) {
        iterator = body.makeAsyncIterator()
    }

    func next() async throws -> ByteBuffer? {
        try await iterator.next()
    }
}
