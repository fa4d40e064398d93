import EventTail
import Foundation
import Testing

@Suite("Where following starts")
struct LogFollowerStartTests {
    @Test("restarting from a remembered position resends the unacknowledged lines with the same offsets")
    func resumesExactly() throws {
        let log = try LogFixture()
        try log.write(queueLogLine(1) + queueLogLine(2) + queueLogLine(3))
        let first = try log.follower().drain()
        let acknowledged = first[0].after

        let again = try log.follower(remembered: acknowledged).drain()
        #expect(again == Array(first.dropFirst()))
    }

    @Test("the state file round-trips a position")
    func stateFile() throws {
        let log = try LogFixture()
        let state = StateFile(path: log.statePath)
        #expect(try state.load() == nil)
        let position = TailPosition(identity: FileIdentity(device: 7, inode: 42), position: 120, base: 4096)
        try state.save(position)
        #expect(try state.load() == position)
        let text = try String(contentsOfFile: log.statePath, encoding: .utf8)
        #expect(text.contains("\"offset\":4216"))
        #expect(!FileManager.default.fileExists(atPath: log.statePath + ".tmp"))
    }

    @Test("rotated while stopped: the rest of the remembered file is read from FILE.1, then the new file")
    func rotatedWhileStopped() throws {
        let log = try LogFixture()
        try log.write(queueLogLine(1) + queueLogLine(2))
        let before = try log.follower().drain()
        let acknowledged = before[0].after

        try log.rename()
        try log.write(queueLogLine(3))
        try log.reopen()
        try log.write(queueLogLine(4))

        let lines = try log.follower(remembered: acknowledged).drain()
        let oldSize = Int64((queueLogLine(1) + queueLogLine(2) + queueLogLine(3)).utf8.count)
        #expect(lines.map(\.text) == [queueLogLine(2), queueLogLine(3), queueLogLine(4)])
        #expect(lines.first == before[1], "same offset as before the restart")
        #expect(lines.last?.offset == oldSize)
    }

    @Test("remembered file gone while stopped: the new file starts past anything that may have been sent")
    func rememberedFileGone() throws {
        let log = try LogFixture()
        try log.write(queueLogLine(1) + queueLogLine(2))
        let acknowledged = try log.follower().drain()[0].after
        try log.rename()
        try log.remove(".1")
        try log.write(queueLogLine(9))  // the PBX's descriptor still names the deleted file
        try log.reopen()
        try log.write(queueLogLine(3))

        let lines = try log.follower(remembered: acknowledged).drain()
        #expect(lines.map(\.text) == [queueLogLine(3)])
        #expect(lines.first?.offset == acknowledged.offset + LogFollower.unacknowledgedGap)
    }

    @Test("truncated below the remembered position while stopped: starts again at byte 0 past the gap")
    func truncatedWhileStopped() throws {
        let log = try LogFixture()
        try log.write(queueLogLine(1) + queueLogLine(2))
        let acknowledged = try log.follower().drain()[1].after
        try log.copyTruncate()
        try log.write(queueLogLine(3))

        let lines = try log.follower(remembered: acknowledged).drain()
        #expect(lines.map(\.text) == [queueLogLine(3)])
        #expect(lines.first?.offset == acknowledged.offset + LogFollower.unacknowledgedGap)
    }

    @Test("--start end skips what is there and follows what comes")
    func startAtEnd() throws {
        let log = try LogFixture()
        try log.write(queueLogLine(1) + queueLogLine(2))
        let follower = try log.follower(start: .end)
        #expect(try follower.drain().isEmpty)
        try log.write(queueLogLine(3))
        let lines = try follower.drain()
        #expect(lines.map(\.text) == [queueLogLine(3)])
        #expect(lines.first?.offset == Int64((queueLogLine(1) + queueLogLine(2)).utf8.count))
    }

    @Test("--start end with a line being written: that line is read once complete, not cut")
    func startAtEndInsideALine() throws {
        let log = try LogFixture()
        let line = queueLogLine(2)
        try log.write(queueLogLine(1) + String(line.prefix(5)))
        let follower = try log.follower(start: .end)
        try log.write(String(line.dropFirst(5)))
        #expect(try follower.drain().map(\.text) == [line])
    }

    @Test("--start beginning reads the whole file again with the offsets the state gives it")
    func startAtBeginning() throws {
        let log = try LogFixture()
        try log.write(queueLogLine(1))
        let first = try log.follower().drain()
        try log.rename()
        try log.reopen()
        try log.write(queueLogLine(2) + queueLogLine(3))
        let second = try log.follower(remembered: first[0].after).drain()

        let again = try log.follower(start: .beginning, remembered: second[1].after).drain()
        #expect(again == second)
        let fromOldState = try log.follower(start: .beginning, remembered: first[0].after).drain()
        #expect(fromOldState == second, "the rotated file is skipped, the offsets stay those of the new one")
        #expect(try log.follower(start: .beginning).drain().map(\.offset) == [0, Int64(queueLogLine(2).utf8.count)])
    }
}
