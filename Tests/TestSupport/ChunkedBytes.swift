import Foundation
import NIOCore

/// Yields bytes in chunks of a fixed size, as a slow or a fast network delivers a request body.
public struct ChunkedBytes: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    public let data: Data
    public let chunkSize: Int

    public init(data: Data, chunkSize: Int) {
        self.data = data
        self.chunkSize = Swift.max(1, chunkSize)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let data: Data
        let chunkSize: Int
        var offset = 0

        public mutating func next() async throws -> ByteBuffer? {
            guard offset < data.count else { return nil }
            let end = Swift.min(offset + chunkSize, data.count)
            defer { offset = end }
            return ByteBuffer(bytes: data[data.startIndex + offset..<data.startIndex + end])
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(data: data, chunkSize: chunkSize) }
}
