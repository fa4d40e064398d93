import Foundation
import Testing
import TestSupport

@testable import StationIngest

/// `<name>.json` needs `<name>.wav` beside it; the content is not parsed (the finder is under test here, the
/// parsers have tests of their own).
struct BesideReader: PairReader {
    var maximumMetadataBytes = 1024

    func isMetadataFile(_ fileName: String) -> Bool { fileName.hasSuffix(".json") }

    func read(metadataPath: String, bytes: [UInt8], fileExists: (String) -> Bool) -> PairReading {
        if bytes.isEmpty { return .refused(.invalidMetadata("empty")) }
        let recording = String(metadataPath.dropLast(5)) + ".wav"
        guard fileExists(recording) else { return .waitingForRecording }
        return .ready(
            CallFields(caller: "+100", receiver: "+200", startedAt: Date(timeIntervalSince1970: 0), tags: []), recording: recording)
    }
}

@Suite struct SettleTests {
    let start = ContinuousClock.now

    @Test func aFileIsSettledOnlyAfterTheWholeTimeUnchanged() {
        var tracker = SettleTracker(settle: .seconds(5))
        let grown = FileStamp(size: 11, modified: 1)
        // (stamp, seconds from the start, settled?)
        let observations: [(FileStamp, Double, Bool)] = [
            (FileStamp(size: 10, modified: 1), 0, false), (FileStamp(size: 10, modified: 1), 4, false),
            (FileStamp(size: 10, modified: 1), 5, true),
            // It grew: the wait starts over.
            (grown, 6, false), (grown, 10, false), (grown, 11, true),
            // Touched without growing is a change too.
            (FileStamp(size: 11, modified: 2), 12, false),
        ]
        for (stamp, seconds, expected) in observations {
            let settled = tracker.observe("a", stamp, now: start + .seconds(seconds))
            #expect(settled == expected, "at \(seconds) s")
        }
        tracker.forget("a")
        let afterForgetting = tracker.observe("a", FileStamp(size: 11, modified: 2), now: start + .seconds(30))
        #expect(!afterForgetting)
    }

    @Test func aRecordingStillBeingWrittenIsNotTaken() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Data("{}".utf8).write(to: URL(fileURLWithPath: directory.path + "/c1.json"))
        let recording = directory.path + "/c1.wav"
        try Data(repeating: 1, count: 1000).write(to: URL(fileURLWithPath: recording))
        var finder = PairFinder(directories: [directory.path], station: "pbx", reader: BesideReader(), settle: .seconds(5))

        #expect(finder.scan(now: start, skipping: []).ready.isEmpty)
        // The metadata settles, but the writer appends to the recording on every scan.
        for second in stride(from: 5, through: 40, by: 5) {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: recording))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(repeating: 2, count: 100))
            try handle.close()
            let scan = finder.scan(now: start + .seconds(Double(second)), skipping: [])
            #expect(scan.ready.isEmpty, "taken while still being written, at \(second) s")
            #expect(scan.settling == [recording])
        }
        #expect(finder.scan(now: start + .seconds(44), skipping: []).ready.isEmpty)
        let ready = finder.scan(now: start + .seconds(45), skipping: []).ready
        #expect(ready.map(\.recordingPath) == [recording])
        #expect(FileStamp.of(recording)?.size == 1800)
    }

    @Test func dotFilesSubdirectoriesAndSkippedPathsAreLeftAlone() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for name in [".c0.json", "c1.json", "c1.wav", "c2.json", "c2.wav", "c3.json"] {
            try Data("{}".utf8).write(to: URL(fileURLWithPath: directory.path + "/" + name))
        }
        try FileManager.default.createDirectory(atPath: directory.path + "/done", withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: directory.path + "/done/c4.json"))
        var finder = PairFinder(directories: [directory.path], station: "pbx", reader: BesideReader(), settle: .zero)
        let scan = finder.scan(now: start, skipping: [directory.path + "/c2.json"])
        #expect(scan.ready.map(\.metadataPath) == [directory.path + "/c1.json"])
        #expect(scan.missingRecording == [directory.path + "/c3.json"])
    }

    @Test func refusedMetadataIsTakenWithTheRecordingBesideIt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        FileManager.default.createFile(atPath: directory.path + "/bad.json", contents: Data())
        FileManager.default.createFile(atPath: directory.path + "/bad.wav", contents: Data([1]))
        FileManager.default.createFile(atPath: directory.path + "/huge.json", contents: Data(repeating: 32, count: 2000))
        var finder = PairFinder(directories: [directory.path], station: "pbx", reader: BesideReader(), settle: .zero)
        let ready = finder.scan(now: start, skipping: []).ready
        #expect(ready.map(\.refusal?.reason) == ["empty", "the metadata file has 2000 bytes, more than the 1024 allowed"])
        #expect(ready.allSatisfy { $0.refusal?.code == "invalid_metadata" })
        #expect(ready.first?.recordingPath == directory.path + "/bad.wav")
        #expect(ready.allSatisfy { $0.fields == nil })
    }
}
