@testable import CallsAPI
import Foundation
import Testing

/// The gRPC upload's minimum rate: an upload whose chunks stop coming is cut off with `upload_too_slow` (HTTP/2
/// has no idle timeout to do it), one that keeps the pace is not.
@Suite struct UploadPaceWatchTests {
    static let pace = UploadPace(bytesPerSecond: 1_000, grace: .milliseconds(100))
    /// For uploads that must not be cut off: however slow a loaded machine runs the test, they are in time.
    static let lenient = UploadPace(bytesPerSecond: 1_000, grace: .seconds(60))

    /// Ten bytes, then nothing: too few once the grace is over. The stream would end after 20 s, so without the
    /// watch's timer the upload would succeed then instead of failing.
    @Test func anUploadThatStopsIsCutOff() async throws {
        let (stream, continuation) = AsyncStream<UploadRequestPart>.makeStream()
        continuation.yield(UploadChunkReceiverTests.message(Data(count: 10)))
        let ending = Task {
            try? await Task.sleep(for: .seconds(20))
            continuation.finish()
        }
        defer { ending.cancel() }
        let watch = UploadPaceWatch(pace: Self.pace)
        do {
            let count = try await watch.enforce {
                var iterator = stream.makeAsyncIterator()
                return try await UploadChunkReceiver(limit: 1_000_000, pace: watch).receive(&iterator, into: MemorySink())
            }
            Issue.record("the stalled upload was taken with \(count) bytes")
        } catch let problem as Problem {
            #expect(problem.code == "upload_too_slow" && problem.status.code == 408, "\(problem)")
        }
        #expect(watch.gaveUp)
    }

    @Test func anUploadThatKeepsThePaceIsTaken() async throws {
        let watch = UploadPaceWatch(pace: Self.lenient)
        let count = try await watch.enforce {
            var iterator = UploadChunkReceiverTests.messages([Data(count: 3_000), Data(count: 4_000)]).makeAsyncIterator()
            return try await UploadChunkReceiver(limit: 1_000_000, pace: watch).receive(&iterator, into: MemorySink())
        }
        #expect(count == 7_000 && !watch.gaveUp)
    }

    /// An upload's own failure stays what it was when the pace was kept.
    @Test func otherFailuresPassThrough() async throws {
        let watch = UploadPaceWatch(pace: Self.lenient)
        await #expect(throws: UploadChunkReceiver.Failure.tooLarge) {
            _ = try await watch.enforce {
                var iterator = UploadChunkReceiverTests.messages([Data(count: 3_000)]).makeAsyncIterator()
                return try await UploadChunkReceiver(limit: 1_000, pace: watch).receive(&iterator, into: MemorySink())
            }
        }
    }

    /// How long bytes may take: the grace at least, then the minimum rate; without a minimum, for ever.
    @Test func timeAllowed() {
        #expect(Self.pace.timeAllowed(for: 0) == .milliseconds(100))
        #expect(Self.pace.timeAllowed(for: 2_500) == .milliseconds(2_500))
        #expect(UploadPace(bytesPerSecond: 0, grace: .seconds(1)).timeAllowed(for: 10) == nil)
        let allowed = Self.pace.timeAllowed(for: 2_500)!
        #expect(!Self.pace.isTooSlow(bytes: 2_500, elapsed: allowed))
        #expect(Self.pace.isTooSlow(bytes: 2_500, elapsed: allowed + .milliseconds(10)))
    }
}
