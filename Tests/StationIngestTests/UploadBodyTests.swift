import Foundation
import Synchronization
import Testing

@testable import StationIngest

@Suite struct UploadBodyTests {
    /// The consumer keeps the last chunks it was given (as the gRPC message and the event loop do) while it
    /// asks for more: every byte still arrives once and in order, and the progress is each chunk's end.
    @Test func everyByteArrivesOnceInOrderWhileTheConsumerHoldsChunks() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("chunks-\(UUID()).wav").path
        let bytes: [UInt8] = (0..<100_003).map { (index: Int) -> UInt8 in UInt8(truncatingIfNeeded: index &* 31 &+ index >> 8) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reported = Mutex<[Int64]>([])
        var chunks = FileChunks(
            path: path, length: Int64(bytes.count), chunkSize: 4096, pool: .singleton,
            sent: { offset in reported.withLock { $0.append(offset) } })
        chunks.maximumInFlight = 4
        var received: [UInt8] = []
        var held: [FileChunks.Element] = []
        for try await chunk in chunks {
            #expect(chunk.readableBytes <= 4096)
            received += Array(chunk.readableBytesView)
            held.append(chunk)
            if held.count == 3 { held.removeFirst() }
        }
        #expect(received == bytes)
        let ends: [Int64] = stride(from: 4096, to: bytes.count, by: 4096).map { Int64($0) } + [Int64(bytes.count)]
        #expect(reported.withLock { $0 } == ends)
    }

    /// A gRPC message's chunk is the chunk's own bytes, and stays valid once the chunk is gone.
    @Test func sharedDataOutlivesTheChunk() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("shared-\(UUID()).wav").path
        try Data((0..<5000).map { UInt8(truncatingIfNeeded: $0) }).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var data: [Data] = []
        for try await chunk in FileChunks(path: path, length: 5000, chunkSize: 2048, pool: .singleton, sent: { _ in }) {
            data.append(Data(sharing: chunk))
        }
        #expect(data.map(\.count) == [2048, 2048, 904])
        #expect(Array(data.joined()) == (0..<5000).map { UInt8(truncatingIfNeeded: $0) })
    }

    /// `started_at` as the API writes times: RFC 3339 in UTC with milliseconds.
    @Test func startedAtIsRFC3339InUTCWithMilliseconds() throws {
        let fields = CallFields(caller: "+1", receiver: "+2", startedAt: Date(timeIntervalSince1970: 1_796_032_800.25), tags: [])
        let body = try JSONSerialization.jsonObject(with: Data(fields.json())) as? [String: Any]
        #expect(body?["started_at"] as? String == "2026-11-30T10:00:00.250Z")
    }
}
