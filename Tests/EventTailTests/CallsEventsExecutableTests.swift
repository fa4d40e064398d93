import EventTail
import Foundation
import TestSupport
import Testing

/// The built `calls-events` (next to the test binary), run as a PBX would run it.
@Suite("calls-events tail, the executable")
struct CallsEventsExecutableTests {
    static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("calls-events").path
    }

    static func tail(_ log: LogFixture, port: Int, extra: [String] = [], environment: [String: String] = [:]) throws -> ChildProcess {
        try ChildProcess(
            executable: executable,
            arguments: [
                "tail", log.path, "--source", "pbx-1", "--api", "http://127.0.0.1:\(port)", "--poll-interval", "0.02",
                "--retry-initial", "0.02", "--retry-max", "0.2",
            ] + extra,
            standardOutput: log.directory.path + "/calls-events.log", mergeStandardError: true, environment: environment)
    }

    @Test("follows the log through a rotation, the API starting late; a restart sends nothing twice")
    func throughARotation() async throws {
        let log = try LogFixture()
        let api = FakeEventsAPI()
        let port = try freeLoopbackPort()
        let first = TailerTests.lines(1...5)
        let second = TailerTests.lines(6...9)
        try log.write(first)
        let process = try Self.tail(log, port: port, environment: ["CALLS_API_KEY": "test-key"])
        try await servingEvents(api, port: port) {
            try await expectEventually("the first lines", within: 30) { await api.events.count == 5 }
            try log.rename()
            try log.reopen()
            try log.write(second)
            try await expectEventually("the lines of the new file", within: 30) { await api.events.count == 9 }
            // The API holds the lines once their POST arrived; the tailer records them as sent once the 202 is
            // back. A stop in between (SIGTERM ends it at once) would send them again after the restart, as it
            // must: stop only once the position is saved.
            let everything = Int64(first.utf8.count + second.utf8.count)
            try await expectEventually("the position saved", within: 30) {
                (try? StateFile(path: log.path + ".calls-events.state").load()?.offset) == everything
            }
            await process.stop()

            let keyFile = log.directory.path + "/key"
            try "test-key\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
            try log.write(TailerTests.lines(10...10))
            let restarted = try Self.tail(log, port: port, extra: ["--key-file", keyFile])
            try await expectEventually("the line written while stopped", within: 30) { await api.events.count == 10 }
            await restarted.stop()
        }
        let oldSize = Int64(first.utf8.count)
        #expect(await api.sortedEvents == expectedEvents(first) + expectedEvents(second + TailerTests.lines(10...10), from: oldSize))
        #expect(await api.duplicates == 0)
    }

    @Test("a wrong key: exits non-zero, saying why")
    func wrongKey() async throws {
        let log = try LogFixture()
        let api = FakeEventsAPI()
        let port = try freeLoopbackPort()
        try log.write(TailerTests.lines(1...3))
        let status = try await servingEvents(api, port: port) {
            let process = try Self.tail(log, port: port, environment: ["CALLS_API_KEY": "wrong"])
            return await process.waitForExit()
        }
        #expect(status != 0)
        let output = try String(contentsOfFile: log.directory.path + "/calls-events.log", encoding: .utf8)
        #expect(output.contains("the API key is not valid"), "\(output)")
    }
}
