import CallsProto

/// Streams the chunks of an `UploadRecording` call into a sink through `PipelinedUploadWriter` (as
/// `MultipartFileReceiver` does for REST), counting bytes against the limit as they arrive.
struct UploadChunkReceiver {
    let limit: Int64
    /// Nil: no minimum rate (tests of other things).
    var pace: UploadPaceWatch?

    enum Failure: Error, Equatable {
        case tooLarge
        case secondHeader
        /// The header was all: REST's multipart body without its `file` field.
        case noChunks
    }

    /// The number of bytes received; the iterator is at its end when this returns.
    func receive<Messages: AsyncIteratorProtocol>(
        _ messages: inout Messages, into sink: some UploadSink
    ) async throws -> Int64 where Messages.Element == Calls_V1_UploadRecordingRequest {
        pace?.begin()
        return try await PipelinedUploadWriter.writing(into: sink) { writer in
            var byteCount: Int64 = 0
            var sawChunk = false
            while let message = try await messages.next() {
                switch message.part {
                case .chunk(let data):
                    sawChunk = true
                    byteCount += Int64(data.count)
                    if byteCount > limit { throw Failure.tooLarge }
                    pace?.add(data.count)
                    try await writer.append(data)
                case .header:
                    throw Failure.secondHeader
                case nil:
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
