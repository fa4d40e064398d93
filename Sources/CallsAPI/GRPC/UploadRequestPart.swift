import CallsProto
import GRPCCore
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

/// Reads `UploadRecording` messages for the upload. swift-protobuf would copy each chunk into a `Data`, which the
/// upload writer then copies again into its 256 KiB writes; a message that is nothing but a chunk (field 2, as
/// every client sends them) is read here instead, its bytes copied once into a buffer the writer can pass on
/// whole. Anything else (the header, unknown fields, several fields) goes to swift-protobuf, so both read every
/// message alike.
struct UploadRequestDeserializer: MessageDeserializer {
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> UploadRequestPart {
        try serializedMessageBytes.withUnsafeBytes { bytes in
            if let chunk = Self.loneChunk(in: bytes) { return .chunk(ByteBuffer(bytes: chunk)) }
            do {
                return UploadRequestPart(try Calls_V1_UploadRecordingRequest(serializedBytes: Array(bytes)))
            } catch {
                // ProtobufDeserializer's answer, which the generated code gave before.
                throw RPCError(
                    code: .invalidArgument, message: "Can't deserialize to message of type \(Calls_V1_UploadRecordingRequest.self).",
                    cause: error)
            }
        }
    }

    /// The chunk's bytes when the message is exactly one field 2 of wire type 2 (tag byte 0x12) and its length.
    static func loneChunk(in message: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard message.first == 0x12 else { return nil }
        var length = 0
        var position = 1
        // A length over 2^35 takes more than five bytes; no message the transport accepts is that long.
        for shift in stride(from: 0, to: 35, by: 7) {
            guard position < message.count else { return nil }
            let byte = message[position]
            position += 1
            length |= Int(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                guard message.count - position == length else { return nil }
                return UnsafeRawBufferPointer(rebasing: message[position...])
            }
        }
        return nil
    }
}
