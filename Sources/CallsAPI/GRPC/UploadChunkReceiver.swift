import CallsProto

/// Streams the chunks of an `UploadRecording` call into a sink through `PipelinedUploadWriter` (as
/// `MultipartFileReceiver` does for REST), counting bytes against the limit as they arrive.
struct UploadChunkReceiver {
    let limit: Int64

    enum Failure: Error, Equatable {
        case tooLarge
        case secondHeader
    }

    /// The number of bytes received; the iterator is at its end when this returns.
    func receive<Messages: AsyncIteratorProtocol>(
        _ messages: inout Messages, into sink: some UploadSink
    ) async throws -> Int64 where Messages.Element == Calls_V1_UploadRecordingRequest {
        try await PipelinedUploadWriter.writing(into: sink) { writer in
            var byteCount: Int64 = 0
            while let message = try await messages.next() {
                switch message.part {
                case .chunk(let data):
                    byteCount += Int64(data.count)
                    if byteCount > limit { throw Failure.tooLarge }
                    try await writer.append(data)
                case .header:
                    throw Failure.secondHeader
                case nil:
                    continue
                }
            }
            return byteCount
        }
    }
}
