import EventTail
import Foundation
import Logging
import TestSupport

/// A queue_log in a temporary directory, written the way a PBX writes it: through a descriptor it keeps open
/// (so that writes after a rename still land in the renamed file) and opened in append mode.
final class LogFixture: @unchecked Sendable {
    let directory: TemporaryDirectory
    let path: String
    private var writer: FileHandle?

    init() throws {
        directory = try TemporaryDirectory()
        path = directory.path + "/queue_log"
    }

    deinit {
        try? writer?.close()
        directory.remove()
    }

    var statePath: String { path + ".calls-events.state" }

    /// Appends `text` through the PBX's descriptor, creating the file first when there is none.
    func write(_ text: String) throws {
        if writer == nil { try reopen() }
        try writer!.write(contentsOf: Data(text.utf8))
    }

    /// What the PBX does after a rotation (Asterisk's `logger reload`): opens the file at the path again.
    func reopen() throws {
        try writer?.close()
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        writer = FileHandle(forUpdatingAtPath: path)
        try writer!.seekToEnd()
    }

    /// logrotate without `copytruncate`: the log is renamed; the PBX keeps writing to it until it reopens.
    func rename(to suffix: String = ".1") throws {
        try FileManager.default.moveItem(atPath: path, toPath: path + suffix)
    }

    /// logrotate with `create`: an empty file takes the path; the PBX writes to it only once reopened.
    func createEmpty() {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
    }

    /// logrotate `copytruncate`: the PBX's descriptor stays and its next writes land at the new end.
    func copyTruncate() throws {
        try? FileManager.default.removeItem(atPath: path + ".1")
        try FileManager.default.copyItem(atPath: path, toPath: path + ".1")
        let handle = FileHandle(forUpdatingAtPath: path)!
        try handle.truncate(atOffset: 0)
        try handle.close()
        try writer?.seekToEnd()
    }

    func remove(_ suffix: String = "") throws {
        try FileManager.default.removeItem(atPath: path + suffix)
    }

    func follower(start: StartMode = .remembered, remembered: TailPosition? = nil, maxLineBytes: Int = 1 << 20) throws -> LogFollower {
        try LogFollower(path: path, start: start, remembered: remembered, maxLineBytes: maxLineBytes, logger: testLogger)
    }
}

/// A queue_log line for test number `index`.
func queueLogLine(_ index: Int, event: String = "ENTERQUEUE") -> String {
    "\(1_764_460_800 + index)|call-\(index)|support|NONE|\(event)||555\(index)|1\n"
}

let testLogger: Logger = {
    var logger = Logger(label: "event-tail-test")
    logger.logLevel = ProcessInfo.processInfo.environment["CALLS_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
    return logger
}()

extension LogFollower {
    /// Everything there is to read now, acknowledging as it goes (as the tailer does once the API answered):
    /// lines of the current generation, then of every finished one after it.
    func drain() throws -> [TailLine] {
        var lines: [TailLine] = []
        while true {
            let read = try read(maxBytes: 1 << 20)
            lines += read
            if read.isEmpty, try startNextGenerationIfDone() == nil { return lines }
        }
    }
}
