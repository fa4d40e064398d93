import NIOCore

/// The multipart body as one sequence: the part's headers, the file's chunks as they are read, the closing
/// boundary.
struct MultipartParts: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let prefix: ByteBuffer
    let file: FileChunks
    let suffix: ByteBuffer

    final class AsyncIterator: AsyncIteratorProtocol {
        private var stage = 0
        private let parts: MultipartParts
        private let chunks: FileChunks.AsyncIterator

        init(_ parts: MultipartParts) {
            self.parts = parts
            chunks = parts.file.makeAsyncIterator()
        }

        func next() async throws -> ByteBuffer? {
            switch stage {
            case 0:
                stage = 1
                return parts.prefix
            case 1:
                if let chunk = try await chunks.next() { return chunk }
                stage = 2
                return parts.suffix
            default:
                return nil
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(self)
    }
}
