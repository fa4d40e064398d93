import CallsProto
import GRPCCore
import GRPCProtobuf
import Metrics
import NIOCore

/// Reads `UploadRecording` messages for the upload. swift-protobuf would copy each chunk into a `Data`, which the
/// upload writer then copies again into its 256 KiB writes; a message that is nothing but a chunk (field 2, as
/// clients send them) is read here instead, its bytes copied once into a buffer (from `ChunkBufferPool`, whose
/// buffers come back after their write) that the writer passes on as it is when it holds exactly one write.
/// Anything else (the header, unknown fields, several fields) goes to swift-protobuf, so both read every message
/// alike; `calls_grpc_upload_messages_total{reading}` counts which way each message went.
struct UploadRequestDeserializer: MessageDeserializer {
    var buffers = ChunkBufferPool.uploads

    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> UploadRequestPart {
        if let chunk = serializedMessageBytes.withUnsafeBytes({ Self.loneChunk(in: $0).map(buffers.buffer(copying:)) }) {
            Counter(label: "calls_grpc_upload_messages_total", dimensions: [("reading", "direct")]).increment()
            return .chunk(chunk)
        }
        Counter(label: "calls_grpc_upload_messages_total", dimensions: [("reading", "protobuf")]).increment()
        return UploadRequestPart(try ProtobufDeserializer<Calls_V1_UploadRecordingRequest>().deserialize(serializedMessageBytes))
    }

    /// The chunk's bytes when the message is exactly one field 2 of wire type 2 (tag byte 0x12) and its length.
    static func loneChunk(in message: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard message.first == 0x12 else { return nil }
        var length = 0
        var position = 1
        // Four bytes of length reach 256 MiB, far over the largest message the transport takes (4 MiB); longer
        // ones are swift-protobuf's to judge.
        for shift in stride(from: 0, to: 28, by: 7) {
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
