@testable import CallsAPI
import CPUBoundTesting
import Foundation
import NIOCore
import Synchronization
import TestSupport
import Testing

/// Collects what the receiver writes, and the size of each write.
final class MemorySink: UploadSink, Sendable {
    private let state = Mutex<(bytes: [UInt8], writes: [Int])>(([], []))

    var bytes: [UInt8] { state.withLock { $0.bytes } }
    var writes: [Int] { state.withLock { $0.writes } }

    func append(_ chunk: ByteBuffer) async throws {
        state.withLock {
            $0.bytes += chunk.readableBytesView
            $0.writes.append(chunk.readableBytes)
        }
    }
}

/// A sink whose writes take their time, counting how many run at once, and a body that counts what was
/// pulled from it: together they show what the receiver does while a write is in flight.
final class SlowSink: UploadSink, Sendable {
    private let state = Mutex<(running: Int, mostRunning: Int, started: Int, finished: Int, released: Bool)>((0, 0, 0, 0, false))
    /// Until this returns true (or 10 s passed), the first write does not end.
    let holdFirstWriteUntil: @Sendable () -> Bool

    init(holdFirstWriteUntil: @escaping @Sendable () -> Bool = { true }) {
        self.holdFirstWriteUntil = holdFirstWriteUntil
    }

    var mostRunning: Int { state.withLock { $0.mostRunning } }
    var started: Int { state.withLock { $0.started } }
    var finished: Int { state.withLock { $0.finished } }
    /// Whether the first write ended because its condition came true, not after the 10 s.
    var firstWriteReleased: Bool { state.withLock { $0.released } }

    func append(_ chunk: ByteBuffer) async throws {
        let first = state.withLock {
            $0.running += 1
            $0.started += 1
            $0.mostRunning = max($0.mostRunning, $0.running)
            return $0.started == 1
        }
        defer {
            state.withLock {
                $0.running -= 1
                $0.finished += 1
            }
        }
        if first {
            let condition = holdFirstWriteUntil
            let released = try? await waitUntil(within: 10, every: .milliseconds(5)) { condition() }
            state.withLock { $0.released = released == true }
        } else {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }
}

/// Yields the chunks of a body holding one file part, counting the chunks pulled; throws after `failAfter`
/// chunks when set.
struct CountedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    struct Broken: Error {}

    final class Counter: Sendable {
        let pulled = Mutex(0)
    }

    let chunks: [ByteBuffer]
    let counter = Counter()
    var failAfter: Int?

    init(boundary: String, chunks count: Int, chunkSize: Int, failAfter: Int? = nil) {
        var body = MultipartBody(boundary: boundary)
        body.addFile(filename: "a.wav", content: Data(repeating: 7, count: count * chunkSize))
        let data = body.finished()
        chunks = stride(from: 0, to: data.count, by: chunkSize).map {
            ByteBuffer(bytes: data[$0..<Swift.min(data.count, $0 + chunkSize)])
        }
        self.failAfter = failAfter
    }

    var pulledCount: Int { counter.pulled.withLock { $0 } }

    struct AsyncIterator: AsyncIteratorProtocol {
        let body: CountedBody
        var index = 0

        mutating func next() async throws -> ByteBuffer? {
            if let failAfter = body.failAfter, index == failAfter { throw Broken() }
            guard index < body.chunks.count else { return nil }
            defer { index += 1 }
            body.counter.pulled.withLock { $0 += 1 }
            return body.chunks[index]
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(body: self) }
}

@Suite(.cpuBound) struct MultipartFileReceiverTests {
    /// Binary content full of CR and LF bytes and near-boundaries, the hard case for a multipart parser.
    static let content: Data = {
        var bytes: [UInt8] = []
        for index in 0..<300_000 {
            switch index % 97 {
            case 0: bytes += Array("\r\n--".utf8)
            case 1: bytes.append(13)
            default: bytes.append(UInt8(truncatingIfNeeded: index &* 31))
            }
        }
        return Data(bytes)
    }()

    @Test(arguments: [1, 2, 3, 7, 64, 1000, 8192, 65_536, 1 << 20])
    func everyChunkSizeYieldsTheSameFile(chunkSize: Int) async throws {
        var body = MultipartBody()
        body.addField(name: "caller", value: "+100")
        body.addFile(filename: "a;b \"q\".wav", content: Self.content)
        body.addField(name: "after", value: "x")
        let sink = MemorySink()
        let receiver = MultipartFileReceiver(boundary: body.boundary, limit: 10_000_000)
        let received = try await receiver.receive(ChunkedBytes(data: body.finished(), chunkSize: chunkSize), into: sink)
        #expect(received.byteCount == Int64(Self.content.count))
        #expect(received.filename == "a;b \"q\".wav")
        #expect(sink.bytes == Array(Self.content))
        // Writes are of exactly the write size however small or large the network chunks are.
        #expect(sink.writes.dropLast().allSatisfy { $0 == PipelinedUploadWriter.writeSize }, "\(sink.writes)")
    }

    /// The network and the parser go on while a write runs: the first write ends only once the receiver has
    /// pulled the chunks of the second, which a receiver awaiting each write would never do.
    @Test func readsOnWhileAWriteIsInFlight() async throws {
        let chunkSize = 16 * 1024
        let body = CountedBody(boundary: "b", chunks: 64, chunkSize: chunkSize)
        let chunksPerWrite = PipelinedUploadWriter.writeSize / chunkSize
        let sink = SlowSink(holdFirstWriteUntil: { body.pulledCount >= 2 * chunksPerWrite + 1 })
        let received = try await MultipartFileReceiver(boundary: "b", limit: 10_000_000).receive(body, into: sink)
        #expect(received.byteCount == Int64(64 * chunkSize))
        #expect(sink.firstWriteReleased)
        #expect(body.pulledCount == body.chunks.count)
        // Read on, but never more than one write at a time: the file's bytes go down in order.
        #expect(sink.mostRunning == 1)
        #expect(sink.started > 2)
    }

    /// A failure while a write runs returns only after that write ended: the caller then discards the file,
    /// and must not do so under a write.
    @Test func aFailureWaitsForTheWriteInFlight() async throws {
        let chunkSize = 16 * 1024
        let chunksPerWrite = PipelinedUploadWriter.writeSize / chunkSize
        let body = CountedBody(boundary: "b", chunks: 64, chunkSize: chunkSize, failAfter: chunksPerWrite + 2)
        let sink = SlowSink(holdFirstWriteUntil: { false })
        await #expect(throws: CountedBody.Broken.self) {
            try await MultipartFileReceiver(boundary: "b", limit: 10_000_000).receive(body, into: sink)
        }
        #expect(sink.started == 1)
        #expect(sink.finished == 1)
    }

    /// A write that fails while the next block is being gathered: the upload fails with the sink's error,
    /// and nothing is written after it.
    @Test func aWriteThatFailsLaterStopsTheUpload() async throws {
        struct DiskFull: Error {}
        final class FailingThirdWrite: UploadSink, Sendable {
            let writes = Mutex(0)
            func append(_ chunk: ByteBuffer) async throws {
                let count = writes.withLock {
                    $0 += 1
                    return $0
                }
                if count == 3 { throw DiskFull() }
            }
        }
        var body = MultipartBody()
        body.addFile(filename: "big.wav", content: Data(repeating: 7, count: 8 * PipelinedUploadWriter.writeSize))
        let sink = FailingThirdWrite()
        await #expect(throws: DiskFull.self) {
            try await MultipartFileReceiver(boundary: body.boundary, limit: 100_000_000)
                .receive(ChunkedBytes(data: body.finished(), chunkSize: 16 * 1024), into: sink)
        }
        #expect(sink.writes.withLock { $0 } == 3)
    }

    @Test func stopsAsSoonAsTheLimitIsPassed() async throws {
        var body = MultipartBody()
        body.addFile(filename: "big.wav", content: Self.content)
        let sink = MemorySink()
        let receiver = MultipartFileReceiver(boundary: body.boundary, limit: 100_000)
        await #expect(throws: MultipartFileReceiver.Failure.tooLarge) {
            try await receiver.receive(ChunkedBytes(data: body.finished(), chunkSize: 4096), into: sink)
        }
        #expect(sink.bytes.count <= 100_000 + 4096)
    }

    /// A body without `Content-Length` is capped on the stream: bytes outside the file (a preamble that never
    /// reaches a boundary, say) count too.
    @Test func capsTheWholeBodyNotOnlyTheFile() async throws {
        let receiver = MultipartFileReceiver(boundary: "b", limit: 1000)
        let preamble = Data(repeating: UInt8(ascii: "p"), count: 1000 + Int(MultipartFileReceiver.framingAllowance) + 1)
        await #expect(throws: MultipartFileReceiver.Failure.tooLarge) {
            try await receiver.receive(ChunkedBytes(data: preamble, chunkSize: 4096), into: MemorySink())
        }
    }

    @Test func headerAndPartLimitsBecomeFailures() async throws {
        let receiver = MultipartFileReceiver(boundary: "b", limit: 1_000_000)
        let endless = Data(
            ("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + String(repeating: "a", count: 20_000)).utf8)
        await #expect(throws: MultipartFileReceiver.Failure.headersTooLarge("a part's headers are over 8192 bytes")) {
            try await receiver.receive(ChunkedBytes(data: endless, chunkSize: 1000), into: MemorySink())
        }
        let parts = Data((String(repeating: "--b\r\nX: 1\r\n\r\nv\r\n", count: 17) + "--b--\r\n").utf8)
        await #expect(throws: MultipartFileReceiver.Failure.tooManyParts(limit: 16)) {
            try await receiver.receive(ChunkedBytes(data: parts, chunkSize: 1000), into: MemorySink())
        }
    }

    @Test func garbageIsMalformed() async throws {
        let receiver = MultipartFileReceiver(boundary: "b", limit: 1000)
        await #expect(throws: MultipartFileReceiver.Failure.self) {
            try await receiver.receive(ChunkedBytes(data: Data("--b\r\nbad header line\r\n\r\n".utf8), chunkSize: 5), into: MemorySink())
        }
    }

    @Test func parsesContentTypesAndDispositions() {
        #expect(MultipartHeaders.boundary(contentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(MultipartHeaders.boundary(contentType: "Multipart/Form-Data; charset=utf-8; boundary=\"a b\"") == "a b")
        #expect(MultipartHeaders.boundary(contentType: "multipart/form-data") == nil)
        #expect(MultipartHeaders.boundary(contentType: "multipart/form-data; boundary=\"a\rb\"") == nil)
        #expect(MultipartHeaders.boundary(contentType: "multipart/form-data; boundary=\"a\u{1}b\"") == nil)
        #expect(MultipartHeaders.boundary(contentType: "application/json") == nil)
        let disposition = MultipartHeaders.disposition(#"form-data; name="file"; filename="C:\x\y.wav""#)
        #expect(disposition.name == "file")
        #expect(MultipartHeaders.displayName(disposition.filename, fallbackExtension: "wav") == "y.wav")
        #expect(MultipartHeaders.displayName("..", fallbackExtension: "mp3") == "recording.mp3")
        #expect(MultipartHeaders.displayName("a\u{0}b\nc.wav", fallbackExtension: "wav") == "abc.wav")
    }
}
