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
    }

    @Test func eachUploadThatEndsAloneIsFollowedByARelease() async throws {
        let releases = Releases()
        let idle = IdleMemoryRelease(release: releases.release)
        for expected in 1...3 {
            let answer = await idle.whileUploading { 42 }
            #expect(answer == 42)
            await releases.next()
            #expect(releases.count.load(ordering: .sequentiallyConsistent) == expected)
        }
    }

    @Test func overlappingUploadsAreFollowedByOneReleaseAfterTheLast() async throws {
        let releases = Releases()
        let idle = IdleMemoryRelease(release: releases.release)
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
        // Time for a release the first upload's end might wrongly have started.
        try await Task.sleep(for: .milliseconds(200))
        #expect(releases.count.load(ordering: .sequentiallyConsistent) == 0, "released while an upload was in flight")
        endSecond.yield()
        await second
        await releases.next()
        #expect(releases.count.load(ordering: .sequentiallyConsistent) == 1)
    }

    @Test func aFailedUploadIsFollowedByAReleaseToo() async throws {
        struct Refused: Error {}
        let releases = Releases()
        let idle = IdleMemoryRelease(release: releases.release)
        await #expect(throws: Refused.self) {
            try await idle.whileUploading { throw Refused() }
        }
        await releases.next()
        #expect(releases.count.load(ordering: .sequentiallyConsistent) == 1)
    }

    @Test func theProcessReleaseFindsGlibcsTrim() {
        #expect(IdleMemoryRelease.releaseFreeMemory())
    }
}
