import CallsProto
import NIOCore

/// Streams the chunks of an `UploadRecording` call into a sink, gathered into writes of about 256 KiB with one
/// write in flight while the next is gathered (as `MultipartFileReceiver` does for REST), counting bytes
/// against the limit as they arrive.
struct UploadChunkReceiver {
    static let writeSize = 256 * 1024
    let limit: Int64

    enum Failure: Error, Equatable {
        case tooLarge
        case secondHeader
    }

    /// The number of bytes received; the iterator is at its end when this returns.
    func receive<Messages: AsyncIteratorProtocol>(
        _ messages: inout Messages, into sink: some UploadSink
    ) async throws -> Int64 where Messages.Element == Calls_V1_UploadRecordingRequest {
        try await withThrowingTaskGroup(of: Void.self) { writes in
            var writing = false
            func write(_ chunk: ByteBuffer) async throws {
                if writing { try await writes.next() }
                writes.addTask { try await sink.append(chunk) }
                writing = true
            }
            var byteCount: Int64 = 0
            var pending = ByteBufferAllocator().buffer(capacity: Self.writeSize + 64 * 1024)
            while let message = try await messages.next() {
                switch message.part {
                case .chunk(let data):
                    byteCount += Int64(data.count)
                    if byteCount > limit { throw Failure.tooLarge }
                    pending.writeBytes(data)
                    if pending.readableBytes >= Self.writeSize {
                        try await write(pending)
                        pending = ByteBufferAllocator().buffer(capacity: Self.writeSize + 64 * 1024)
                    }
                case .header:
                    throw Failure.secondHeader
                case nil:
                    continue
                }
            }
            if pending.readableBytes > 0 { try await write(pending) }
            try await writes.waitForAll()
            return byteCount
        }
    }
}
