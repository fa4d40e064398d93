import EventTail
import Foundation
import TestSupport
import Testing

@Suite("Pushing a queue_log to POST /events")
struct TailerTests {
    /// Lines `range`, as one string.
    static func lines(_ range: ClosedRange<Int>, event: String = "ENTERQUEUE") -> String {
        range.map { queueLogLine($0, event: event) }.joined()
    }

    @Test("the API down (nothing listening), then up: every line arrives exactly once with its offset")
    func apiDownThenUp() async throws {
        let log = try LogFixture()
        let api = FakeEventsAPI()
        let port = try freeLoopbackPort()
        let counter = OutcomeCounter()
        let text = Self.lines(1...50)
        try log.write(text)
        let tailer = startTailer(on: log, port: port, counter: counter)
        try await expectEventually("two failed attempts", within: 20) { await counter.retries >= 2 }
        #expect(log.stateOffset() == 0, "nothing acknowledged, nothing recorded")
        try log.write(Self.lines(51...60))
        let all = text + Self.lines(51...60)

        try await servingEvents(api, port: port) {
            try await expectEventually("every line stored", within: 20) { await api.events.count == 60 }
            try await expectEventually("the state at the end", within: 20) { log.stateOffset() == Int64(all.utf8.count) }
        }
        await tailer.stop()
        #expect(await api.sortedEvents == expectedEvents(all))
        #expect(await api.duplicates == 0)
    }

    @Test("503 answers: the same batch is retried, the state moves only after a 202")
    func unavailableThenAccepted() async throws {
        let log = try LogFixture()
        let api = FakeEventsAPI()
        await api.fail(next: 1_000_000)
        let counter = OutcomeCounter()
        let text = Self.lines(1...20)
        try log.write(text)
        let port = try freeLoopbackPort()
        try await servingEvents(api, port: port) {
            let tailer = startTailer(on: log, port: port, counter: counter)
            try await expectEventually("three 503s", within: 20) { await counter.retries >= 3 }
            #expect(log.stateOffset() == 0)
            #expect(await api.requests.allSatisfy { $0.offset == 0 && $0.lines == 20 }, "the same batch each time")
            await api.fail(next: 0)
            try await expectEventually("the state at the end", within: 20) { log.stateOffset() == Int64(text.utf8.count) }
            await tailer.stop()
        }
        #expect(await api.sortedEvents == expectedEvents(text))
    }

    @Test("answers lost after the API stored the lines: resent with the same offsets, stored once")
    func lostAnswers() async throws {
        let log = try LogFixture()
        let api = FakeEventsAPI()
        await api.loseAnswers(next: 2)
        let text = Self.lines(1...30)
        try log.write(text)
        let port = try freeLoopbackPort()
        try await servingEvents(api, port: port) {
            let tailer = startTailer(on: log, port: port) { $0.batchLines = 10 }
            try await expectEventually("the state at the end", within: 20) { log.stateOffset() == Int64(text.utf8.count) }
            await tailer.stop()
        }
        #expect(await api.sortedEvents == expectedEvents(text))
        #expect(await api.duplicates == 20)
        #expect(await api.conflicts.isEmpty)
    }

    @Test("413: the batch is split until the API takes it")
    func tooLargeIsSplit() async throws {
        let log = try LogFixture()
        let api = FakeEventsAPI()
        await api.limit(lines: 3)
        let counter = OutcomeCounter()
        let text = Self.lines(1...40)
        try log.write(text)
        let port = try freeLoopbackPort()
        try await servingEvents(api, port: port) {
            let tailer = startTailer(on: log, port: port, counter: counter)
            try await expectEventually("the state at the end", within: 20) { log.stateOffset() == Int64(text.utf8.count) }
            await tailer.stop()
        }
        #expect(await api.sortedEvents == expectedEvents(text))
        #expect(await counter.tooLarge >= 1)
        #expect(await api.requests.filter { $0.status == 202 }.allSatisfy { $0.lines <= 3 })
        #expect(await api.duplicates == 0)
    }

    @Test("413 for a single line: that line is skipped, the rest goes on")
    func singleLineTooLarge() async throws {
        let log = try LogFixture()
        let api = FakeEventsAPI()
        await api.limit(bytes: 100)
        let long = "1764460800|call-x|support|NONE|ENTERQUEUE||" + String(repeating: "5", count: 120) + "|1\n"
        let text = queueLogLine(1) + long + queueLogLine(2)
        try log.write(text)
        let port = try freeLoopbackPort()
        try await servingEvents(api, port: port) {
            let tailer = startTailer(on: log, port: port)
            try await expectEventually("the state at the end", within: 20) { log.stateOffset() == Int64(text.utf8.count) }
            await tailer.stop()
        }
        #expect(await api.sortedEvents == expectedEvents(text).filter { $0.line != long })
    }

    @Test("lines the API rejects are final: not sent again")
    func rejectedLines() async throws {
        let log = try LogFixture()
        let api = FakeEventsAPI()
        await api.reject(linesContaining: "BOGUS")
        let text = queueLogLine(1) + queueLogLine(2, event: "BOGUS") + queueLogLine(3)
        try log.write(text)
        let port = try freeLoopbackPort()
        try await servingEvents(api, port: port) {
            let tailer = startTailer(on: log, port: port)
            try await expectEventually("the state at the end", within: 20) { log.stateOffset() == Int64(text.utf8.count) }
            try log.write(queueLogLine(4))
            try await expectEventually("the next line stored", within: 20) { await api.events.count == 3 }
            await tailer.stop()
        }
        #expect(await api.requests.map(\.offset) == [0, Int64(text.utf8.count)])
    }

    @Test("401: the tailer stops with the API's reason and records nothing")
    func unauthorized() async throws {
        let log = try LogFixture()
        let api = FakeEventsAPI()
        try log.write(Self.lines(1...5))
        let port = try freeLoopbackPort()
        let result = try await servingEvents(api, port: port) {
            await startTailer(on: log, port: port, key: "wrong-key").result
        }
        guard case .failure(let error) = result, case .refused(let status, let detail)? = error as? TailError else {
            Issue.record("the tailer did not stop refused: \(result)")
            return
        }
        #expect(status == 401)
        #expect(detail.contains("the API key is not valid"))
        #expect(log.stateOffset() == 0)
        #expect(await api.events.isEmpty)
    }

    @Test("a rotation and a truncation while pushing: every line once, offsets growing across them")
    func rotationAndTruncation() async throws {
        let log = try LogFixture()
        let api = FakeEventsAPI()
        let port = try freeLoopbackPort()
        let first = Self.lines(1...10)
        let afterRename = Self.lines(11...12)
        let second = Self.lines(13...20)
        let third = Self.lines(21...25)
        try log.write(first)
        try await servingEvents(api, port: port) {
            let tailer = startTailer(on: log, port: port)
            try await expectEventually("the first lines", within: 20) { await api.events.count == 10 }
            try log.rename()
            try log.write(afterRename)
            log.createEmpty()
            try log.reopen()
            try log.write(second)
            try await expectEventually("the second file's lines", within: 20) { await api.events.count == 20 }
            try log.copyTruncate()
            try log.write(third)
            try await expectEventually("the lines after the truncation", within: 20) { await api.events.count == 25 }
            await tailer.stop()
        }
        let oldSize = Int64((first + afterRename).utf8.count)
        let secondSize = Int64(second.utf8.count)
        #expect(
            await api.sortedEvents
                == expectedEvents(first + afterRename) + expectedEvents(second, from: oldSize)
                + expectedEvents(third, from: oldSize + secondSize))
        #expect(await api.duplicates == 0)
    }

    @Test("a restart resends the unacknowledged lines with the offsets they had")
    func restart() async throws {
        let log = try LogFixture()
        let api = FakeEventsAPI()
        let port = try freeLoopbackPort()
        let counter = OutcomeCounter()
        let text = Self.lines(1...10)
        try log.write(text)
        try await servingEvents(api, port: port) {
            let tailer = startTailer(on: log, port: port, counter: counter)
            try await expectEventually("the first lines", within: 20) { log.stateOffset() == Int64(text.utf8.count) }
            await api.loseAnswers(next: 1_000_000)  // stored, but the tailer never hears it
            try log.write(Self.lines(11...15))
            try await expectEventually("a lost answer", within: 20) { await counter.retries >= 1 }
            await tailer.stop()
        }
        #expect(log.stateOffset() == Int64(text.utf8.count))
        try log.rename()
        try log.reopen()
        try log.write(Self.lines(16...20))
        await api.loseAnswers(next: 0)

        let restartPort = try freeLoopbackPort()  // the first server's port may still be held by its last connection
        try await servingEvents(api, port: restartPort) {
            let tailer = startTailer(on: log, port: restartPort)
            try await expectEventually("every line", within: 20) { await api.events.count == 20 }
            await tailer.stop()
        }
        let oldSize = Int64((text + Self.lines(11...15)).utf8.count)
        #expect(await api.sortedEvents == expectedEvents(text + Self.lines(11...15)) + expectedEvents(Self.lines(16...20), from: oldSize))
        #expect(await api.conflicts.isEmpty)
    }

    @Test("a rotation while the API is down: the state keeps naming the old file until its lines are answered")
    func rotationDuringOutage() async throws {
        let log = try LogFixture()
        let api = FakeEventsAPI()
        await api.fail(next: 1_000_000)
        let counter = OutcomeCounter()
        let old = Self.lines(1...6)
        let new = Self.lines(7...9)
        try log.write(old)
        let port = try freeLoopbackPort()
        let remembered = try await servingEvents(api, port: port) {
            let tailer = startTailer(on: log, port: port, counter: counter)
            try await expectEventually("a failed attempt", within: 20) { await counter.retries >= 1 }
            try log.rename()
            try log.reopen()
            try log.write(new)
            let retries = await counter.retries
            try await expectEventually("two more failed attempts", within: 20) { await counter.retries >= retries + 2 }
            await tailer.stop()
            return try StateFile(path: log.statePath).load()
        }
        let oldIdentity = try #require(try FileManager.default.attributesOfItem(atPath: log.path + ".1")[.systemFileNumber] as? Int)
        #expect(remembered?.inode == UInt64(oldIdentity))
        #expect(remembered?.position == 0)

        await api.fail(next: 0)
        let restartPort = try freeLoopbackPort()
        try await servingEvents(api, port: restartPort) {
            let tailer = startTailer(on: log, port: restartPort)
            try await expectEventually("every line", within: 20) { await api.events.count == 9 }
            await tailer.stop()
        }
        #expect(await api.sortedEvents == expectedEvents(old) + expectedEvents(new, from: Int64(old.utf8.count)))
    }
}
