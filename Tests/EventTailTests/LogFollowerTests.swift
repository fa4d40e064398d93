import EventTail
import Foundation
import Testing

@Suite("Following a queue_log")
struct LogFollowerTests {
    @Test("appended lines are read with their byte offsets")
    func appends() throws {
        let log = try LogFixture()
        try log.write(queueLogLine(1) + queueLogLine(2))
        let follower = try log.follower()
        let first = try follower.drain()
        #expect(first.map(\.text) == [queueLogLine(1), queueLogLine(2)])
        #expect(first.map(\.offset) == [0, Int64(queueLogLine(1).utf8.count)])
        #expect(try follower.drain().isEmpty)

        try log.write(queueLogLine(3))
        let second = try follower.drain()
        #expect(second.map(\.text) == [queueLogLine(3)])
        #expect(second.first?.offset == Int64((queueLogLine(1) + queueLogLine(2)).utf8.count))
        #expect(second.first?.after.position == Int64((queueLogLine(1) + queueLogLine(2) + queueLogLine(3)).utf8.count))
    }

    @Test("a line is handed out only once its newline is written")
    func partialLine() throws {
        let log = try LogFixture()
        let line = queueLogLine(1)
        try log.write(String(line.prefix(10)))
        let follower = try log.follower()
        #expect(try follower.drain().isEmpty)
        try log.write(String(line.dropFirst(10).dropLast()))
        #expect(try follower.drain().isEmpty)
        try log.write("\n")
        let lines = try follower.drain()
        #expect(lines.map(\.text) == [line])
        #expect(lines.first?.offset == 0)
    }

    @Test("rename rotation: the old file is finished, lines written to it after the rename included, then the new one")
    func renameRotation() throws {
        let log = try LogFixture()
        try log.write(queueLogLine(1))
        let follower = try log.follower()
        #expect(try follower.drain().count == 1)

        try log.rename()
        try log.write(queueLogLine(2))  // the PBX has not reopened yet
        #expect(try follower.drain().map(\.text) == [queueLogLine(2)])
        log.createEmpty()
        try log.write(queueLogLine(3))  // still the old file: the new one stays empty
        #expect(try follower.drain().map(\.text) == [queueLogLine(3)])
        try log.reopen()
        try log.write(queueLogLine(4))

        let lines = try follower.drain()
        let oldSize = Int64((queueLogLine(1) + queueLogLine(2) + queueLogLine(3)).utf8.count)
        #expect(lines.map(\.text) == [queueLogLine(4)])
        #expect(lines.first?.offset == oldSize, "the new generation continues the offsets")
        #expect(lines.first?.after.position == Int64(queueLogLine(4).utf8.count))
        #expect(lines.first?.after.base == oldSize)
    }

    @Test("read does not cross into the next generation before it is asked to")
    func switchOnlyWhenAsked() throws {
        let log = try LogFixture()
        try log.write(queueLogLine(1))
        let follower = try log.follower()
        _ = try follower.read(maxBytes: 1 << 20)
        try log.rename()
        log.createEmpty()
        try log.reopen()
        try log.write(queueLogLine(2))
        #expect(try follower.read(maxBytes: 1 << 20).isEmpty)
        let next = try follower.startNextGenerationIfDone()
        #expect(next?.position == 0)
        #expect(next?.base == Int64(queueLogLine(1).utf8.count))
        #expect(try follower.read(maxBytes: 1 << 20).map(\.text) == [queueLogLine(2)])
    }

    @Test("copytruncate: the file starts again at byte 0 with offsets past everything read before")
    func copyTruncate() throws {
        let log = try LogFixture()
        try log.write(queueLogLine(1) + queueLogLine(2))
        let follower = try log.follower()
        #expect(try follower.drain().count == 2)
        try log.copyTruncate()
        try log.write(queueLogLine(3))
        let lines = try follower.drain()
        #expect(lines.map(\.text) == [queueLogLine(3)])
        #expect(lines.first?.offset == Int64((queueLogLine(1) + queueLogLine(2)).utf8.count))
    }

    @Test("the log missing for a while (between rename and create, or before it first exists) is waited for")
    func missingFile() throws {
        let log = try LogFixture()
        let follower = try log.follower()
        #expect(try follower.drain().isEmpty)
        #expect(try follower.tailPosition == nil)
        try log.write(queueLogLine(1))
        #expect(try follower.drain().map(\.offset) == [0])

        try log.rename()
        #expect(try follower.drain().isEmpty)
        #expect(try follower.drain().isEmpty)
        try log.remove(".1")  // still readable through the follower's descriptor; nothing new in it
        try log.reopen()
        try log.write(queueLogLine(2))
        let lines = try follower.drain()
        #expect(lines.map(\.text) == [queueLogLine(2)])
        #expect(lines.first?.offset == Int64(queueLogLine(1).utf8.count))
    }

    @Test("two rotations before the first generation is finished: no generation is skipped")
    func twoRotationsWhileBehind() throws {
        let log = try LogFixture()
        try log.write(queueLogLine(1))
        let follower = try log.follower()
        #expect(try follower.read(maxBytes: 1 << 20).count == 1)  // lines of generation 1 not acknowledged yet
        try log.rename(to: ".1")
        try log.reopen()
        try log.write(queueLogLine(2))
        #expect(try follower.read(maxBytes: 1 << 20).isEmpty)  // notices generation 2
        try log.rename(to: ".2")
        try log.reopen()
        try log.write(queueLogLine(3))
        let lines = try follower.drain()
        #expect(lines.map(\.text) == [queueLogLine(2), queueLogLine(3)])
        #expect(lines.map(\.offset) == [Int64(queueLogLine(1).utf8.count), Int64((queueLogLine(1) + queueLogLine(2)).utf8.count)])
    }

    @Test("a line longer than the limit is skipped, the lines around it keep their offsets")
    func longLine() throws {
        let log = try LogFixture()
        let long = String(repeating: "x", count: 100) + "\n"
        try log.write("a|1\n" + long + "b|2\n")
        let lines = try log.follower(maxLineBytes: 40).drain()
        #expect(lines.map(\.text) == ["a|1\n", "b|2\n"])
        #expect(lines.map(\.offset) == [0, Int64(4 + long.utf8.count)])
    }
}
