@testable import CallsAPI
import CPUBoundTesting
import CallsProto
import Foundation
import GRPCCore
import NIOCore
import SeededRandomness
import SwiftProtobuf
import Testing

/// The `UploadRecording` reader against swift-protobuf's: the same part for every message, well formed or not,
/// with the chunks clients send read on the short path. Thousands of messages are seconds of work in a debug
/// build: on a thread of their own, not the pool the live-server tests answer on.
@Suite(.cpuBound) struct UploadRequestDeserializerTests {
    static func reference(_ bytes: [UInt8]) throws -> UploadRequestPart {
        UploadRequestPart(try Calls_V1_UploadRecordingRequest(serializedBytes: bytes))
    }

    static func chunkMessage(_ chunk: [UInt8]) throws -> [UInt8] {
        var message = Calls_V1_UploadRecordingRequest()
        message.chunk = Data(chunk)
        return try message.serializedBytes()
    }

    @Test(arguments: [0, 1, 127, 128, 16_383, 16_384, 262_144, 2_097_152])
    func aChunkMessageIsReadOnTheShortPath(size: Int) throws {
        // Marked every 251 bytes (a prime, so no marks line up with the length's bytes): a chunk read from the
        // wrong offset or cut short differs.
        var chunk = [UInt8](repeating: 0xA5, count: size)
        for offset in stride(from: 0, to: size, by: 251) { chunk[offset] = UInt8(truncatingIfNeeded: offset / 251) }
        let bytes = try Self.chunkMessage(chunk)
        #expect(bytes.withUnsafeBytes { UploadRequestDeserializer.loneChunk(in: $0).map(Array.init) } == chunk)
        #expect(try UploadRequestDeserializer().deserialize(bytes) == .chunk(ByteBuffer(bytes: chunk)))
    }

    /// A length written in more bytes than it needs is still a length: read on the short path up to four bytes
    /// of it, by swift-protobuf beyond.
    @Test(
        arguments: [
            ([0x12, 0x83, 0x00, 1, 2, 3], true), ([0x12, 0x80, 0x80, 0x80, 0x00], true),
            ([0x12, 0x80, 0x80, 0x80, 0x80, 0x00], false), ([0x12, 0x81, 0x80, 0x80, 0x80, 0x00, 7], false),
        ] as [([UInt8], Bool)])
    func anOverlongLengthIsReadAsSwiftProtobufReadsIt(bytes: [UInt8], onTheShortPath: Bool) throws {
        #expect(bytes.withUnsafeBytes { UploadRequestDeserializer.loneChunk(in: $0) != nil } == onTheShortPath)
        #expect(try UploadRequestDeserializer().deserialize(bytes) == Self.reference(bytes))
    }

    @Test func theHeaderAndAnEmptyMessageAreReadAsSwiftProtobufReadsThem() throws {
        var message = Calls_V1_UploadRecordingRequest()
        message.header.callID = "0b9a3f5e-2c1d-4e6f-8a7b-9c0d1e2f3a4b"
        message.header.filename = "Agent 7 — ☎.wav"
        let header: [UInt8] = try message.serializedBytes()
        #expect(try UploadRequestDeserializer().deserialize(header) == .header(message.header))
        #expect(try UploadRequestDeserializer().deserialize([UInt8]()) == .neither)
    }

    /// Chunks, headers and empty messages, with unknown fields around them, and two messages run together (the
    /// later part wins, as protobuf merges them): always what swift-protobuf reads.
    @Test func anyWellFormedMessageIsReadAsSwiftProtobufReadsIt() throws {
        var random = SeededRandom(seed: 19)
        let unknownFields: [[UInt8]] = [
            [0x78, 0x96, 0x01],  // field 15, varint 150
            [0x4A, 0x03, 0x61, 0x62, 0x63],  // field 9, "abc"
            [0x55, 1, 2, 3, 4],  // field 10, fixed32
            [0x59, 1, 2, 3, 4, 5, 6, 7, 8],  // field 11, fixed64
        ]
        for _ in 0..<500 {
            var bytes: [UInt8] = []
            for _ in 0..<(1 + random.next() % 2) {
                if random.next() % 3 == 0 { bytes += unknownFields[Int(random.next() % 4)] }
                var message = Calls_V1_UploadRecordingRequest()
                switch random.next() % 3 {
                case 0: message.chunk = Data((0..<Int(random.next() % 3_000)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
                case 1:
                    message.header.callID = String(random.next(), radix: 36)
                    message.header.filename = String(repeating: "é", count: Int(random.next() % 20))
                default: break
                }
                bytes += try message.serializedBytes() as [UInt8]
                if random.next() % 3 == 0 { bytes += unknownFields[Int(random.next() % 4)] }
            }
            #expect(try UploadRequestDeserializer().deserialize(bytes) == Self.reference(bytes), "\(bytes.prefix(16))")
        }
    }

    /// Cut short, overlong or random bytes: refused exactly when swift-protobuf refuses them, as INVALID_ARGUMENT.
    @Test func aMalformedMessageIsRefusedAsSwiftProtobufRefusesIt() throws {
        var random = SeededRandom(seed: 7)
        var samples: [[UInt8]] = [
            [0x12], [0x12, 0x05, 1, 2, 3], [0x12, 0x80], [0x12] + Array(repeating: 0x80, count: 11) + [0x00],
            [0x12, 0x02, 1, 2, 3], [0x0A, 0x05, 0x0A], [0x07],
        ]
        let whole = try Self.chunkMessage(Array(repeating: 5, count: 300))
        samples += (0..<whole.count).map { Array(whole.prefix($0)) }
        for _ in 0..<2_000 {
            var bytes = (0..<Int(random.next() % 40)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if random.next() % 2 == 0 { bytes.insert(0x12, at: 0) }
            samples.append(bytes)
        }
        for bytes in samples {
            switch Result(catching: { try Self.reference(bytes) }) {
            case .success(let part):
                #expect(try UploadRequestDeserializer().deserialize(bytes) == part, "\(bytes)")
            case .failure:
                let error = #expect(throws: RPCError.self, "\(bytes)") { try UploadRequestDeserializer().deserialize(bytes) }
                #expect(error?.code == .invalidArgument)
            }
        }
    }
}
