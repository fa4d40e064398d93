@testable import CallsAPI
import CPUBoundTesting
import CallsProto
import Foundation
import NIOCore
import Testing

/// The gRPC upload's chunks → the sink: every byte in order, in writes of exactly 256 KiB but the last, the
/// limit counted on the way, a second header or none but the header refused, and a stream cut off never taken
/// for a whole one.
@Suite(.cpuBound) struct UploadChunkReceiverTests {
    static func messages(_ chunks: [Data]) -> AsyncStream<UploadRequestPart> {
        AsyncStream { continuation in
            for chunk in chunks { continuation.yield(message(chunk)) }
            continuation.finish()
        }
    }

    static func message(_ chunk: Data) -> UploadRequestPart {
        .chunk(ByteBuffer(bytes: chunk))
    }

    @Test(arguments: [1, 7_000, 262_143, 262_144, 262_145, 1 << 20, 4 << 20])
    func everyByteArrivesInWholeWrites(largestChunk: Int) async throws {
        let chunks = PipelinedUploadWriterTests.pieces(largest: largestChunk, total: 3 * PipelinedUploadWriter.writeSize + 12_345)
        let total = chunks.reduce(0) { $0 + $1.count }
        let sink = MemorySink()
        var iterator = Self.messages(chunks).makeAsyncIterator()
        let count = try await UploadChunkReceiver(limit: Int64(total)).receive(&iterator, into: sink)
        #expect(count == Int64(total))
        #expect(sink.bytes == Array(chunks.joined()))
        #expect(sink.writes.dropLast().allSatisfy { $0 == PipelinedUploadWriter.writeSize }, "\(sink.writes)")
        #expect((1...PipelinedUploadWriter.writeSize).contains(sink.writes.last ?? 0))
    }

    /// Chunks of exactly one write, as the README's client sends them, then a shorter last one; messages with
    /// neither part in between are passed over.
    @Test func wholeWriteChunksArriveAsTheyAre() async throws {
        let size = PipelinedUploadWriter.writeSize
        let chunks = (0..<3).map { ByteBuffer(repeating: UInt8($0), count: size) } + [ByteBuffer(repeating: 9, count: 1_000)]
        let stream = AsyncStream<UploadRequestPart> { continuation in
            for chunk in chunks {
                continuation.yield(.chunk(chunk))
                continuation.yield(.neither)
            }
            continuation.finish()
        }
        let sink = MemorySink()
        var iterator = stream.makeAsyncIterator()
        #expect(try await UploadChunkReceiver(limit: 4 << 20).receive(&iterator, into: sink) == Int64(3 * size + 1_000))
        #expect(sink.writes == [size, size, size, 1_000])
        #expect(sink.bytes == chunks.flatMap { Array($0.readableBytesView) })
    }

    @Test func aByteOverTheLimitIsRefused() async throws {
        var iterator = Self.messages([Data(count: 600), Data(count: 401)]).makeAsyncIterator()
        await #expect(throws: UploadChunkReceiver.Failure.tooLarge) {
            _ = try await UploadChunkReceiver(limit: 1_000).receive(&iterator, into: MemorySink())
        }
        var exact = Self.messages([Data(count: 600), Data(count: 400)]).makeAsyncIterator()
        #expect(try await UploadChunkReceiver(limit: 1_000).receive(&exact, into: MemorySink()) == 1_000)
    }

    @Test func aSecondHeaderIsRefused() async throws {
        var header = Calls_V1_UploadHeader()
        header.callID = UUID().uuidString
        let stream = AsyncStream<UploadRequestPart> { continuation in
            continuation.yield(.header(header))
            continuation.finish()
        }
        var iterator = stream.makeAsyncIterator()
        await #expect(throws: UploadChunkReceiver.Failure.secondHeader) {
            _ = try await UploadChunkReceiver(limit: 1_000).receive(&iterator, into: MemorySink())
        }
    }

    /// REST's body without its `file` field; an empty chunk is an empty file instead, refused by content later.
    @Test func theHeaderAloneIsNoUpload() async throws {
        var nothing = Self.messages([]).makeAsyncIterator()
        await #expect(throws: UploadChunkReceiver.Failure.noChunks) {
            _ = try await UploadChunkReceiver(limit: 1_000).receive(&nothing, into: MemorySink())
        }
        let neither = AsyncStream<UploadRequestPart> { continuation in
            continuation.yield(.neither)
            continuation.finish()
        }
        var onlyNeither = neither.makeAsyncIterator()
        await #expect(throws: UploadChunkReceiver.Failure.noChunks) {
            _ = try await UploadChunkReceiver(limit: 1_000).receive(&onlyNeither, into: MemorySink())
        }
        var empty = Self.messages([Data()]).makeAsyncIterator()
        #expect(try await UploadChunkReceiver(limit: 1_000).receive(&empty, into: MemorySink()) == 0)
    }

    /// A cancelled read of an `AsyncStream` (as of gRPC's request stream) looks like the stream's end: the upload
    /// must fail as cancelled, not be taken as complete with the bytes that came before (nor as one without chunks).
    @Test func aCancelledUploadIsNotTakenForAWholeOne() async throws {
        let (stream, continuation) = AsyncStream<UploadRequestPart>.makeStream()
        continuation.yield(Self.message(Data(count: 10)))
        let upload = Task {
            var iterator = stream.makeAsyncIterator()
            return try await UploadChunkReceiver(limit: 1_000).receive(&iterator, into: MemorySink())
        }
        upload.cancel()
        await #expect(throws: CancellationError.self) { _ = try await upload.value }
        continuation.finish()
    }
}
