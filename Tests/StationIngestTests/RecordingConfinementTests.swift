import Foundation
import Testing
import TestSupport

@testable import StationIngest

/// Recordings come only from the recordings directory or the watched ones: a metadata file naming anything
/// else refuses its pair, and neither the file nor its target is sent or moved.
@Suite struct RecordingConfinementTests {
    /// watch/, other/ (a second watched directory), rec/, outside/secret.wav.
    struct Station {
        let root: TemporaryDirectory
        var watch: String { root.path + "/watch" }
        var secret: String { root.path + "/outside/secret.wav" }

        init() throws {
            root = try TemporaryDirectory()
            for directory in ["watch", "other", "rec", "outside", "state"] {
                try FileManager.default.createDirectory(atPath: root.path + "/" + directory, withIntermediateDirectories: true)
            }
            try Data("RIFF secret".utf8).write(to: URL(fileURLWithPath: secret))
        }

        var reader: StationMetadataReader {
            StationMetadataReader(recordingsDirectory: root.path + "/rec", watchedDirectories: [watch, root.path + "/other"])
        }

        func read(_ name: String) throws -> PairReading {
            let path = watch + "/" + name
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            return reader.read(metadataPath: path, bytes: bytes, fileExists: { FileStamp.of($0) != nil })
        }

        func writeJSON(_ name: String) throws {
            let json = #"{"caller": "+1 555 0100", "receiver": "+1 555 0101", "started_at": "2026-11-21T09:30:00Z"}"#
            try Data(json.utf8).write(to: URL(fileURLWithPath: watch + "/\(name).json"))
        }

        func writeCDR(_ name: String, recordPath: String?, uuid: String = "6f1c2d3e-0000-4000-8000-000000000001") throws {
            var variables = "<uuid>\(uuid)</uuid><caller_id_number>1000</caller_id_number>"
            variables += "<destination_number>1001</destination_number><start_epoch>1764581400</start_epoch>"
            if let recordPath { variables += "<record_path>\(recordPath)</record_path>" }
            let xml = "<?xml version=\"1.0\"?>\n<cdr><variables>\(variables)</variables></cdr>\n"
            try Data(xml.utf8).write(to: URL(fileURLWithPath: watch + "/\(name).cdr.xml"))
        }

        func real(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().path }
    }

    static func refusal(_ reading: PairReading) -> PairRefusal? {
        if case .refused(let refusal) = reading { refusal } else { nil }
    }

    @Test func aCDRNamingAFileOutsideIsRefused() throws {
        let station = try Station()
        defer { station.root.remove() }
        try station.writeCDR("etc", recordPath: "/etc/passwd")
        try station.writeCDR("secret", recordPath: station.secret)
        for name in ["etc.cdr.xml", "secret.cdr.xml"] {
            let refusal = try #require(Self.refusal(try station.read(name)), "\(name)")
            #expect(refusal.code == "recording_outside_allowed_directories")
            #expect(refusal.reason.contains("outside the directories recordings are taken from"), "\(refusal.reason)")
        }
    }

    @Test func aLinkPointingOutIsRefusedWhereverItSits() throws {
        let station = try Station()
        defer { station.root.remove() }
        // Beside a JSON file, in the recordings directory under the uuid, and named by a CDR.
        try station.writeJSON("beside")
        try FileManager.default.createSymbolicLink(atPath: station.watch + "/beside.wav", withDestinationPath: station.secret)
        let uuid = "6f1c2d3e-0000-4000-8000-000000000009"
        try FileManager.default.createSymbolicLink(atPath: station.root.path + "/rec/\(uuid).wav", withDestinationPath: station.secret)
        try station.writeCDR("by-uuid", recordPath: nil, uuid: uuid)
        try FileManager.default.createSymbolicLink(atPath: station.root.path + "/rec/named.wav", withDestinationPath: station.secret)
        try station.writeCDR("named", recordPath: "named.wav")
        for name in ["beside.json", "by-uuid.cdr.xml", "named.cdr.xml"] {
            let refusal = try #require(Self.refusal(try station.read(name)), "\(name)")
            #expect(refusal.code == "recording_outside_allowed_directories" && refusal.reason.contains("secret.wav"), "\(refusal.reason)")
        }
    }

    @Test func recordingsInsideAreTakenByTheirResolvedPath() throws {
        let station = try Station()
        defer { station.root.remove() }
        try Data([1]).write(to: URL(fileURLWithPath: station.root.path + "/rec/a.wav"))
        try Data([2]).write(to: URL(fileURLWithPath: station.root.path + "/other/b.wav"))
        try Data([3]).write(to: URL(fileURLWithPath: station.watch + "/plain.wav"))
        try FileManager.default.createSymbolicLink(
            atPath: station.watch + "/linked.wav", withDestinationPath: station.root.path + "/rec/a.wav")
        try station.writeCDR("in-rec", recordPath: station.root.path + "/rec/a.wav")
        try station.writeCDR("in-other-watch", recordPath: station.root.path + "/other/b.wav")
        try station.writeJSON("plain")
        try station.writeJSON("linked")
        let expected = [
            "in-rec.cdr.xml": "/rec/a.wav", "in-other-watch.cdr.xml": "/other/b.wav", "plain.json": "/watch/plain.wav",
            "linked.json": "/rec/a.wav",
        ]
        for (name, recording) in expected {
            guard case .ready(_, let found) = try station.read(name) else {
                Issue.record("\(name) was not ready")
                continue
            }
            #expect(found == station.real(station.root.path + recording), "\(name)")
        }
    }

    /// End to end: the refused pair goes to the failed directory with its reason; nothing is sent, and the
    /// file outside stays where it is.
    @Test func aRefusedPairSendsAndMovesNothingOutside() async throws {
        let station = try Station()
        defer { station.root.remove() }
        try station.writeJSON("beside")
        try FileManager.default.createSymbolicLink(atPath: station.watch + "/beside.wav", withDestinationPath: station.secret)
        try station.writeCDR("absolute", recordPath: station.secret)
        var settings = IngestSettings(directories: [station.watch], station: "pbx")
        settings.settle = .zero
        settings.once = true
        let transport = ScriptedTransport()
        let journal = try IngestJournal(directory: station.root.path + "/state")
        let runner = IngestRunner(settings: settings, reader: station.reader, delivery: .scripted(transport, journal: journal))
        let summary = try await runner.run()
        #expect(summary.failed == 2 && summary.delivered == 0)
        #expect(transport.requests.withLock { $0.creates.isEmpty && $0.uploads.isEmpty })
        #expect(FileManager.default.contents(atPath: station.secret) == Data("RIFF secret".utf8))
        let failed = ((try? FileManager.default.contentsOfDirectory(atPath: station.watch + "/failed")) ?? []).sorted()
        #expect(
            failed == ["absolute.cdr.error.json", "absolute.cdr.xml", "beside.error.json", "beside.json", "beside.wav"], "\(failed)")
        // The link moved as a link.
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: station.watch + "/failed/beside.wav") == station.secret)
        let problem = Array(try Data(contentsOf: URL(fileURLWithPath: station.watch + "/failed/absolute.cdr.error.json")))
        #expect(ProblemDocument.code(of: problem) == "recording_outside_allowed_directories")
    }
}
