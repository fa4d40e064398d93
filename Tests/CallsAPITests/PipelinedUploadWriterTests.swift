@testable import CallsAPI
import CPUBoundTesting
import Foundation
import NIOCore
import SeededRandomness
import Synchronization
import TestSupport
import Testing

/// The writer both transports' uploads go through: every byte in order, in writes of exactly 256 KiB from two
/// buffers used in turn (or a caller's buffer of exactly that size, passed on), one write in flight while the
/// next is gathered, and never a write left running.
@Suite(.cpuBound) struct PipelinedUploadWriterTests {
    static var writeSize: Int { PipelinedUploadWriter.writeSize }

    /// Pieces of random sizes up to `largest` (seeded by it), at least `total` bytes in all, each byte telling
    /// its place.
    static func pieces(largest: Int, total: Int) -> [Data] {
        var random = SeededRandom(seed: UInt64(largest))
        var pieces: [Data] = []
        var count = 0
        while count < total {
            let size = Int(random.next() % UInt64(largest)) + 1
            pieces.append(Data((0..<size).map { UInt8(truncatingIfNeeded: count + $0) }))
            count += size
        }
        return pieces
    }

    /// Appends of any size, smaller and larger than a write, and one that ends exactly on a write's end.
    @Test(arguments: [1, 7_000, 262_143, 262_144, 262_145, 1 << 20])
    func everyByteArrivesInOrderInWholeWrites(largestAppend: Int) async throws {
        let appends = Self.pieces(largest: largestAppend, total: 5 * Self.writeSize + 12_345)
        let sink = AddressSink()
        try await PipelinedUploadWriter.writing(into: sink) { writer in
            for bytes in appends { try await writer.append(bytes) }
        }
        #expect(sink.bytes == Array(appends.joined()))
        #expect(sink.writes.dropLast().allSatisfy { $0 == Self.writeSize }, "\(sink.writes)")
        #expect((1...Self.writeSize).contains(sink.writes.last ?? 0))
    }

    /// Gathering goes into the buffer of the write before last: a fresh buffer for every write would fault its
    /// pages in again each time. Two buffers in all, used in turn.
    @Test func twoBuffersServeEveryWrite() async throws {
        let sink = AddressSink()
        let piece = Data(repeating: 9, count: 64 * 1024)
        try await PipelinedUploadWriter.writing(into: sink) { writer in
            for _ in 0..<(8 * Self.writeSize / piece.count) { try await writer.append(piece) }
        }
        let addresses = sink.addresses
        #expect(addresses.count == 8)
        #expect(Set(addresses).count == 2, "\(addresses)")
        #expect(zip(addresses, addresses.dropFirst()).allSatisfy { $0 != $1 }, "\(addresses)")
    }

    /// A buffer of exactly one write arriving while nothing is gathered goes to the sink as it is (the gRPC
    /// chunks: one copy fewer); after a partial one it is gathered like any bytes.
    @Test func aWholeWriteArrivingAloneIsWrittenAsItIs() async throws {
        let sink = AddressSink()
        let whole = (0..<3).map { ByteBuffer(repeating: UInt8($0), count: Self.writeSize) }
        let partial = ByteBuffer(repeating: 7, count: 10)
        try await PipelinedUploadWriter.writing(into: sink) { writer in
            try await writer.append(buffer: whole[0])
            try await writer.append(buffer: whole[1])
            try await writer.append(buffer: partial)
            try await writer.append(buffer: whole[2])
        }
        func address(_ buffer: ByteBuffer) -> UInt { buffer.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) } }
        #expect(Array(sink.addresses.prefix(2)) == whole.prefix(2).map(address))
        #expect(!sink.addresses.dropFirst(2).contains(address(whole[2])))
        #expect(sink.writes == [Self.writeSize, Self.writeSize, Self.writeSize, 10])
        let expected = [whole[0], whole[1], partial, whole[2]].flatMap { Array($0.readableBytesView) }
        #expect(sink.bytes == expected)
    }

    /// A buffer passed on as it is still waits for the write in flight, and a failed write stops those too.
    @Test func aWholeWritePassedOnWaitsForTheWriteInFlightAndStopsAfterAFailure() async throws {
        let started = ContinuousClock.now
        let slow = SlowSink(holdFirstWriteUntil: { ContinuousClock.now - started > .milliseconds(200) })
        try await PipelinedUploadWriter.writing(into: slow) { writer in
            try await writer.append(Data(count: Self.writeSize))
            try await writer.append(buffer: ByteBuffer(repeating: 1, count: Self.writeSize))
        }
        #expect(slow.mostRunning == 1)
        #expect(slow.started == 2 && slow.finished == 2)

        let failing = FailingSink(failingWrite: 1)
        await #expect(throws: FailingSink.DiskFull.self) {
            try await PipelinedUploadWriter.writing(into: failing) { writer in
                for _ in 0..<4 { try await writer.append(buffer: ByteBuffer(repeating: 2, count: Self.writeSize)) }
            }
        }
        #expect(failing.writes.withLock { $0 } == 1)
    }

    /// The next write is gathered while one runs, and a second write waits for the first: the first write ends
    /// only once the next one's bytes (all but one) were taken, which a writer awaiting each write would never do.
    @Test func gathersTheNextWriteWhileOneIsInFlight() async throws {
        let gathered = Flag()
        let sink = SlowSink(holdFirstWriteUntil: { gathered.isRaised })
        try await PipelinedUploadWriter.writing(into: sink) { writer in
            try await writer.append(Data(count: Self.writeSize))
            try await writer.append(Data(count: Self.writeSize - 1))
            gathered.raise()
            try await writer.append(Data(count: 1 + Self.writeSize))
        }
        #expect(sink.firstWriteReleased)
        #expect(sink.mostRunning == 1)
        #expect(sink.started == 3 && sink.finished == 3)
    }

    /// A failure while a write runs returns only after that write ended: the caller then discards the file, and
    /// must not do so under a write.
    @Test func aFailureWaitsForTheWriteInFlight() async throws {
        struct Refused: Error {}
        let started = ContinuousClock.now
        let sink = SlowSink(holdFirstWriteUntil: { ContinuousClock.now - started > .milliseconds(200) })
        await #expect(throws: Refused.self) {
            try await PipelinedUploadWriter.writing(into: sink) { writer in
                try await writer.append(Data(count: Self.writeSize))
                throw Refused()
            }
        }
        #expect(sink.started == 1 && sink.finished == 1)
    }

    /// A write that fails while the next is gathered fails the upload with the sink's error once the next write
    /// is due, and nothing is written after it.
    @Test func aFailedWriteStopsTheWriting() async throws {
        let sink = FailingSink(failingWrite: 2)
        await #expect(throws: FailingSink.DiskFull.self) {
            try await PipelinedUploadWriter.writing(into: sink) { writer in
                for _ in 0..<6 { try await writer.append(Data(count: Self.writeSize)) }
            }
        }
        #expect(sink.writes.withLock { $0 } == 2)
    }

    /// What is left gathered at the end is written, and waited for.
    @Test func theRestIsWrittenAtTheEnd() async throws {
        let sink = AddressSink()
        try await PipelinedUploadWriter.writing(into: sink) { writer in try await writer.append(Data(repeating: 1, count: 10)) }
        #expect(sink.writes == [10])
        try await PipelinedUploadWriter.writing(into: sink) { _ in }
        #expect(sink.writes == [10])
    }
}

/// Copies what is written and notes where each write's bytes were; it keeps no buffer, so the writer may reuse it.
final class AddressSink: UploadSink, Sendable {
    private let state = Mutex<(bytes: [UInt8], writes: [Int], addresses: [UInt])>(([], [], []))

    var bytes: [UInt8] { state.withLock { $0.bytes } }
    var writes: [Int] { state.withLock { $0.writes } }
    var addresses: [UInt] { state.withLock { $0.addresses } }

    func append(_ chunk: ByteBuffer) async throws {
        let address = chunk.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        state.withLock {
            $0.bytes += chunk.readableBytesView
            $0.writes.append(chunk.readableBytes)
            $0.addresses.append(address)
        }
    }
}

final class FailingSink: UploadSink, Sendable {
    struct DiskFull: Error {}
    let failingWrite: Int
    let writes = Mutex(0)

    init(failingWrite: Int) {
        self.failingWrite = failingWrite
    }

    func append(_ chunk: ByteBuffer) async throws {
        let count = writes.withLock {
            $0 += 1
            return $0
        }
        if count == failingWrite { throw DiskFull() }
    }
}

private final class Flag: Sendable {
    private let raised = Atomic(false)

    var isRaised: Bool { raised.load(ordering: .relaxed) }

    func raise() {
        raised.store(true, ordering: .relaxed)
    }
}
