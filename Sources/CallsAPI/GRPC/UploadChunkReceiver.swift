/// Streams the chunks of an `UploadRecording` call into a sink through `PipelinedUploadWriter` (as
/// `MultipartFileReceiver` does for REST), counting bytes against the limit as they arrive.
struct UploadChunkReceiver {
    let limit: Int64
    /// Nil: no minimum rate (tests of other things).
    var pace: UploadPaceWatch?
    /// Where the chunks' buffers go once written: the pool `UploadRequestDeserializer` takes them from.
    var buffers = ChunkBufferPool.uploads

    enum Failure: Error, Equatable {
        case tooLarge
        case secondHeader
        /// The header was all: REST's multipart body without its `file` field.
        case noChunks
    }

    /// The number of bytes received; the iterator is at its end when this returns.
    func receive<Messages: AsyncIteratorProtocol>(
        _ messages: inout Messages, into sink: some UploadSink
    ) async throws -> Int64 where Messages.Element == UploadRequestPart {
        pace?.begin()
        return try await PipelinedUploadWriter.writing(into: sink) { writer in
            var byteCount: Int64 = 0
            var sawChunk = false
            while let part = try await messages.next() {
                switch part {
                case .chunk(let bytes):
                    sawChunk = true
                    byteCount += Int64(bytes.readableBytes)
                    if byteCount > limit { throw Failure.tooLarge }
                    pace?.add(bytes.readableBytes)
                    try await writer.append(buffer: bytes, recycling: buffers)
                case .header:
                    throw Failure.secondHeader
                case .neither:
                    continue
                }
            }
            // A cancelled read may look like the stream's end: a deadline or the pace watch cut the upload short.
            try Task.checkCancellation()
            try pace?.end()
            guard sawChunk else { throw Failure.noChunks }
            return byteCount
        }
    }
}
