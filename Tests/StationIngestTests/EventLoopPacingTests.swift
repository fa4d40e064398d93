import Foundation
import NIOCore
import NIOPosix
import Synchronization
import TestSupport
import Testing

@testable import StationIngest

/// The upload's writer stays at most `maximumAhead` writes ahead of the connection's event loop.
@Suite struct EventLoopPacingTests {
    /// With the loop held (as a loop starved of CPU is), the writer gets `maximumAhead` writes ahead and then
    /// waits; it goes on once the loop runs again.
    @Test func aHeldLoopStopsTheWriterAfterItsAllowance() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let release = DispatchSemaphore(value: 0)
        loop.execute { release.wait() }
        // Whatever fails below, the loop is let go, or the group could not shut down.
        var released = false
        defer { if !released { release.signal() } }
        let writes = Mutex(0)
        let writer = Task {
            var pacing = EventLoopPacing(loop: loop, writesPerMark: 2, maximumMarks: 1)
            #expect(pacing.maximumAhead == 3)
            for _ in 0..<10 {
                writes.withLock { $0 += 1 }
                try await pacing.wrote()
            }
        }
        // Writes 2 and 4 leave marks; the fourth, with two marks pending, waits for the first, behind the held
        // loop: three writes the loop has not taken, and the writer held after its fourth.
        try await expectEventually("four writes", within: 30) { writes.withLock { $0 } >= 4 }
        try await Task.sleep(for: .milliseconds(200))
        #expect(writes.withLock { $0 } == 4)
        release.signal()
        released = true
        try await writer.value
        #expect(writes.withLock { $0 } == 10)
        try await group.shutdownGracefully()
    }
}
