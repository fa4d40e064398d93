@testable import CallsAPI
import CPUBoundTesting
import Crypto
import NIOCore
import Synchronization
import Testing

/// gRPC chunk buffers used again: the same memory for the next chunk once one is given back, never the bytes of
/// a buffer someone still holds, and only as many and as large as the pool is made for. Megabytes of chunks are
/// work in a debug build: on the CPU-bound tests' thread, not the pool the live-server tests answer on.
@Suite(.cpuBound) struct ChunkBufferPoolTests {
    static func address(_ buffer: ByteBuffer) -> UInt { buffer.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) } }

    @Test func aBufferGivenBackHoldsTheNextChunk() {
        let pool = ChunkBufferPool(bufferCapacity: 1_024, keeping: 2)
        var firstAddress: UInt = 0
        do {
            let first = [UInt8](repeating: 1, count: 900).withUnsafeBytes(pool.buffer(copying:))
            firstAddress = Self.address(first)
            pool.giveBack(first)
        }
        let second = [UInt8](repeating: 2, count: 700).withUnsafeBytes(pool.buffer(copying:))
        #expect(Self.address(second) == firstAddress)
        #expect(Array(second.readableBytesView) == [UInt8](repeating: 2, count: 700))
        #expect(pool.keptCount == 0)
    }

    @Test func aBufferStillHeldElsewhereKeepsItsBytes() {
        let pool = ChunkBufferPool(bufferCapacity: 1_024, keeping: 2)
        let held = [UInt8](repeating: 1, count: 900).withUnsafeBytes(pool.buffer(copying:))
        pool.giveBack(held)
        let next = [UInt8](repeating: 2, count: 900).withUnsafeBytes(pool.buffer(copying:))
        #expect(Array(held.readableBytesView) == [UInt8](repeating: 1, count: 900))
        #expect(Array(next.readableBytesView) == [UInt8](repeating: 2, count: 900))
    }

    /// Chunks of half a buffer or less, or larger than one, get buffers of their own size, which are not kept;
    /// nor more buffers than the pool keeps.
    @Test func onlyChunksThatFillMoreThanHalfABufferTakeOneAndFewAreKept() {
        let pool = ChunkBufferPool(bufferCapacity: 1_024, keeping: 2)
        for size in [512, 1_025] {
            let buffer = [UInt8](repeating: 3, count: size).withUnsafeBytes(pool.buffer(copying:))
            #expect(buffer.capacity != 1_024, "\(size): \(buffer.capacity)")
            #expect(buffer.readableBytes == size)
            pool.giveBack(buffer)
        }
        #expect(pool.keptCount == 0)
        for _ in 0..<3 { pool.giveBack([UInt8](repeating: 4, count: 600).withUnsafeBytes(pool.buffer(copying:))) }
        #expect(pool.keptCount == 1, "each taken back before the next was made")
        let three = (0..<3).map { _ in [UInt8](repeating: 5, count: 600).withUnsafeBytes(pool.buffer(copying:)) }
        three.forEach(pool.giveBack)
        #expect(pool.keptCount == 2)
    }

    /// The writer gives a chunk's buffer back once its bytes are taken: after its write when passed on whole,
    /// at once when gathered.
    @Test func theWriterGivesChunkBuffersBack() async throws {
        let size = PipelinedUploadWriter.writeSize
        let pool = ChunkBufferPool(bufferCapacity: size, keeping: 4)
        let whole = [UInt8](repeating: 6, count: size).withUnsafeBytes(pool.buffer(copying:))
        let part = [UInt8](repeating: 7, count: size - 1).withUnsafeBytes(pool.buffer(copying:))
        let sink = MemorySink()
        try await PipelinedUploadWriter.writing(into: sink) { writer in
            try await writer.append(buffer: whole, recycling: pool)
            try await writer.append(buffer: part, recycling: pool)
        }
        #expect(pool.keptCount == 2)
        #expect(sink.writes == [size, size - 1])
    }

    /// Messages read as the receiver asks for them (as the gRPC server does), each a whole write's chunk.
    struct Deserializing: AsyncIteratorProtocol {
        let messages: [[UInt8]]
        let deserializer: UploadRequestDeserializer
        var index = 0

        mutating func next() async throws -> UploadRequestPart? {
            guard index < messages.count else { return nil }
            defer { index += 1 }
            return try deserializer.deserialize(messages[index])
        }
    }

    /// Read, written and given back in turn, the chunks of an upload live in a few buffers, not one each.
    @Test func theChunksOfAnUploadReuseTheirBuffers() async throws {
        let size = PipelinedUploadWriter.writeSize
        let pool = ChunkBufferPool(bufferCapacity: size, keeping: 8)
        let chunks = (0..<8).map { [UInt8](repeating: UInt8($0), count: size) }
        var messages = Deserializing(
            messages: try chunks.map(UploadRequestDeserializerTests.chunkMessage), deserializer: UploadRequestDeserializer(buffers: pool))
        let sink = DigestSink()
        #expect(try await UploadChunkReceiver(limit: 4 << 20, buffers: pool).receive(&messages, into: sink) == Int64(8 * size))
        var expected = SHA256()
        for chunk in chunks { expected.update(data: chunk) }
        #expect(sink.digest == expected.finalize())
        #expect(pool.reuseCount >= 4, "\(pool.reuseCount) of 8 chunks in a kept buffer")
    }

    @Test func aChunkWhoseWriteFailedIsNotGivenBack() async throws {
        let size = PipelinedUploadWriter.writeSize
        let pool = ChunkBufferPool(bufferCapacity: size, keeping: 8)
        await #expect(throws: FailingSink.DiskFull.self) {
            try await PipelinedUploadWriter.writing(into: FailingSink(failingWrite: 1)) { writer in
                for _ in 0..<2 {
                    let chunk = [UInt8](repeating: 8, count: size).withUnsafeBytes(pool.buffer(copying:))
                    try await writer.append(buffer: chunk, recycling: pool)
                }
            }
        }
        #expect(pool.keptCount == 0)
    }
}

/// Hashes what is written, in order: megabytes compared without copying them into an array.
final class DigestSink: UploadSink, Sendable {
    private let hash = Mutex(SHA256())

    var digest: SHA256.Digest { hash.withLock { $0.finalize() } }

    func append(_ chunk: ByteBuffer) async throws {
        hash.withLock { hash in chunk.withUnsafeReadableBytes { hash.update(bufferPointer: $0) } }
    }
}
