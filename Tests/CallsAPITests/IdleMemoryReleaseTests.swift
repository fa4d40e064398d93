import Synchronization
import Testing

@testable import CallsAPI

@Suite(.timeLimit(.minutes(1))) struct IdleMemoryReleaseTests {
    /// Counts the releases and lets a test wait for the next one.
    final class Releases: Sendable {
        let count = Atomic<Int>(0)
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)

        func release() {
            count.add(1, ordering: .sequentiallyConsistent)
            continuation.yield()
        }

        func next() async {
            var iterator = stream.makeAsyncIterator()
            _ = await iterator.next()
        }

        /// The count once a release that should not come has had twice the quiet period to come.
        func settled(after quietPeriod: Duration) async throws -> Int {
            try await Task.sleep(for: quietPeriod * 2)
            return count.load(ordering: .sequentiallyConsistent)
        }
    }

    static let quietPeriod = Duration.milliseconds(100)

    @Test func anUploadFollowedByQuietIsFollowedByARelease() async throws {
        let releases = Releases()
        let idle = IdleMemoryRelease(quietPeriod: Self.quietPeriod, release: releases.release)
        let answer = await idle.whileUploading { 42 }
        #expect(answer == 42)
        await releases.next()
        #expect(try await releases.settled(after: Self.quietPeriod) == 1)
    }

    @Test func uploadsOneAfterTheOtherAreFollowedByOneReleaseAfterTheLast() async throws {
        let releases = Releases()
        // Long enough that the uploads below, with no pause between them, all begin within it.
        let quietPeriod = Duration.seconds(1)
        let idle = IdleMemoryRelease(quietPeriod: quietPeriod, release: releases.release)
        for _ in 0..<20 { await idle.whileUploading {} }
        await releases.next()
        #expect(try await releases.settled(after: quietPeriod) == 1)
    }

    @Test func overlappingUploadsAreFollowedByOneReleaseAfterTheLast() async throws {
        let releases = Releases()
        let idle = IdleMemoryRelease(quietPeriod: Self.quietPeriod, release: releases.release)
        let (firstMayEnd, endFirst) = AsyncStream.makeStream(of: Void.self)
        let (secondMayEnd, endSecond) = AsyncStream.makeStream(of: Void.self)
        let (bothRunning, running) = AsyncStream.makeStream(of: Void.self)
        async let first: Void = idle.whileUploading {
            running.yield()
            for await _ in firstMayEnd { break }
        }
        async let second: Void = idle.whileUploading {
            running.yield()
            for await _ in secondMayEnd { break }
        }
        var started = bothRunning.makeAsyncIterator()
        _ = await started.next()
        _ = await started.next()
        endFirst.yield()
        await first
        #expect(try await releases.settled(after: Self.quietPeriod) == 0, "released while an upload was in flight")
        endSecond.yield()
        await second
        await releases.next()
        #expect(try await releases.settled(after: Self.quietPeriod) == 1)
    }

    @Test func aFailedUploadIsFollowedByAReleaseToo() async throws {
        struct Refused: Error {}
        let releases = Releases()
        let idle = IdleMemoryRelease(quietPeriod: Self.quietPeriod, release: releases.release)
        await #expect(throws: Refused.self) {
            try await idle.whileUploading { throw Refused() }
        }
        await releases.next()
        #expect(try await releases.settled(after: Self.quietPeriod) == 1)
    }

    @Test func theProcessReleaseFindsGlibcsTrim() {
        #expect(IdleMemoryRelease.releaseFreeMemory())
    }
}
