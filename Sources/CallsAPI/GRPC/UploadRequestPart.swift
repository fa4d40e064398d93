import CallsProto
import NIOCore

/// One message of an `UploadRecording` stream as the upload reads it: `Calls_V1_UploadRecordingRequest`, with
/// the chunk in a `ByteBuffer` that the upload writer can hand to the file as it is.
enum UploadRequestPart: Sendable, Equatable {
    case header(Calls_V1_UploadHeader)
    case chunk(ByteBuffer)
    /// Neither part set: an empty message, or one with only fields this version does not know.
    case neither

    init(_ message: Calls_V1_UploadRecordingRequest) {
        switch message.part {
        case .header(let header): self = .header(header)
        case .chunk(let bytes): self = .chunk(ByteBuffer(bytes: bytes))
        case nil: self = .neither
        }
    }
}
