import Foundation
import Testing
import TestSupport

@testable import StationIngest

@Suite struct RunnerTests {
    /// One directory watched under two spellings: the same file is two paths with one key. Delivered together,
    /// their creates and uploads would race; the runner delivers one key at a time, so it is delivered once.
    @Test func pairsSharingAKeyAreNeverDeliveredAtOnce() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Data("{}".utf8).write(to: URL(fileURLWithPath: directory.path + "/call.json"))
        try Data("abc".utf8).write(to: URL(fileURLWithPath: directory.path + "/call.wav"))
        try FileManager.default.createDirectory(atPath: directory.path + "/state", withIntermediateDirectories: true)
        var settings = IngestSettings(directories: [directory.path, directory.path + "/."], station: "pbx")
        settings.settle = .zero
        settings.once = true
        settings.parallel = 4
        // A create that lasts: without the rule, the second delivery would start inside it.
        let transport = ScriptedTransport(createTakes: .milliseconds(200))
        let journal = try IngestJournal(directory: directory.path + "/state")
        let summary = try await IngestRunner(settings: settings, reader: BesideReader(), delivery: .scripted(transport, journal: journal))
            .run()
        #expect(summary.delivered == 1 && summary.failed == 0 && summary.pending == 0)
        transport.requests.withLock { requests in
            #expect(requests.mostAtOnce.values.max() == 1)
            #expect(requests.creates.count == 1 && requests.uploads.count == 1)
        }
        #expect(TemporaryDirectory.files(directory, in: "done") == ["call.json", "call.wav"])
    }
}
