import Foundation
import Testing
import TestSupport

@testable import StationIngest

@Suite struct WatcherTests {
    @Test func aRingBeforeTheWaitIsKeptForIt() async {
        let doorbell = Doorbell()
        doorbell.ring()
        #expect(doorbell.isRinging)
        // Without the kept ring this would wait the whole hour.
        await doorbell.wait(upTo: .seconds(3600))
        #expect(!doorbell.isRinging)
    }

    @Test func aNewFileInAWatchedDirectoryRingsTheDoorbell() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let doorbell = Doorbell()
        let watcher = try #require(DirectoryWatcher(directories: [directory.path], doorbell: doorbell))
        defer { watcher.stop() }
        #expect(!doorbell.isRinging)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: directory.path + "/c1.json"))
        try await expectEventually("a ring for the new file", within: 30) { doorbell.isRinging }
    }

    @Test func aMissingDirectoryLeavesTheScanAlone() throws {
        #expect(DirectoryWatcher(directories: ["/nonexistent-\(UUID().uuidString)"], doorbell: Doorbell()) == nil)
    }
}

extension WatcherTests {
    @Test func cancellingTheWaiterEndsTheWait() async {
        let doorbell = Doorbell()
        let waiter = Task { await doorbell.wait(upTo: .seconds(3600)) }
        waiter.cancel()
        // Without the cancellation handler this would wait the whole hour.
        await waiter.value
    }
}
