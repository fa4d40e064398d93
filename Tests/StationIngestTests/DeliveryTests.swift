import Foundation
import Testing
import TestSupport

@testable import StationIngest

/// The delivery steps against a scripted service: what the client does with each answer.
@Suite struct DeliveryTests {
    static let callID = "6f1c2d3e-0000-4000-8000-000000000001"
    /// SHA-256 of "abc" (FIPS 180-2, appendix B.1).
    static let abcSHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    /// `call.json` and `call.wav` (holding `recording`) in a fresh directory, as the finder takes them.
    static func pair(in directory: TemporaryDirectory, recording: String = "abc") throws -> TakenPair {
        try Data("{}".utf8).write(to: URL(fileURLWithPath: directory.path + "/call.json"))
        try Data(recording.utf8).write(to: URL(fileURLWithPath: directory.path + "/call.wav"))
        var finder = PairFinder(directories: [directory.path], station: "pbx", reader: BesideReader(), settle: .zero)
        return try #require(finder.scan(now: .now, skipping: []).ready.first)
    }

    /// A journal in a subdirectory (which the finder leaves alone).
    static func journal(_ directory: TemporaryDirectory, _ name: String) throws -> IngestJournal {
        try FileManager.default.createDirectory(atPath: directory.path + "/" + name, withIntermediateDirectories: true)
        return try IngestJournal(directory: directory.path + "/" + name)
    }

    static func problem(_ directory: TemporaryDirectory) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: directory.path + "/failed/call.error.json")))
    }

    static let alreadyExists: AttemptResult<Void> = .refused(
        status: 409, problem: ProblemDocument.service(code: "recording_already_exists", status: 409, detail: "the call has a recording"))

    @Test(arguments: ["../../admin", "6f1c2d3e-0000-4000-8000-00000000000g", "6f1c2d3e00004000800000000000000001", ""])
    func aCallIDThatIsNotAUUIDIsRetriedAndNeverUsed(answer: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pair = try Self.pair(in: directory)
        let journal = try Self.journal(directory, "state")
        let transport = ScriptedTransport(create: { _ in .success(answer) })
        let outcome = try await PairDelivery.scripted(transport, journal: journal, attempts: 3).deliver(pair)
        guard case .gaveUp(let reason) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(reason.contains("not a UUID") && reason.contains("(3 attempts)"), "\(reason)")
        #expect(transport.requests.withLock { $0.creates.count == 3 && $0.uploads.isEmpty })
        #expect(await journal.entry(for: pair.identity.idempotencyKey)?.callID == nil)
        #expect(FileManager.default.fileExists(atPath: pair.metadataPath))
    }

    @Test func aCanonicalCallIDOfEitherCaseIsUsed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pair = try Self.pair(in: directory)
        let upper = Self.callID.uppercased()
        let transport = ScriptedTransport(create: { _ in .success(upper) })
        let journal = try Self.journal(directory, "state")
        #expect(try await PairDelivery.scripted(transport, journal: journal).deliver(pair) == .delivered(callID: upper))
        #expect(transport.requests.withLock { $0.uploads.map(\.callID) } == [upper])
    }

    /// A 409 on our own call is our lost answer only when the stored recording has our file's SHA-256; a
    /// stranger's recording of the same size is not.
    @Test(arguments: [
        (abcSHA256, true), (abcSHA256.uppercased(), true),
        // SHA-256 of "abd": as large as ours, other content.
        ("a52d159f262b2c6ddb724a61840befc36eb30c88877a4030b65cbe86298449c9", false),
    ])
    func aLostUploadAnswerIsRecognisedByTheStoredSHA256(stored: String, ours: Bool) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pair = try Self.pair(in: directory)
        let transport = ScriptedTransport(upload: { _, _ in Self.alreadyExists }, storedSHA256: { _ in .success(stored) })
        let journal = try Self.journal(directory, "state")
        let outcome = try await PairDelivery.scripted(transport, journal: journal).deliver(pair)
        #expect(transport.requests.withLock { $0.lookups } == [Self.callID])
        if ours {
            #expect(outcome == .delivered(callID: Self.callID))
            #expect(FileManager.default.fileExists(atPath: directory.path + "/done/call.wav"))
        } else {
            #expect(outcome.isFailed, "\(outcome)")
            #expect(ProblemDocument.code(of: try Self.problem(directory)) == "recording_already_exists")
        }
    }

    /// The answer says there is a recording, the look-up finds none: nothing proves it is ours.
    @Test func aLostUploadAnswerOnACallWithoutRecordingIsNotOurs() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let none = ScriptedTransport(upload: { _, _ in Self.alreadyExists }, storedSHA256: { _ in .success(nil) })
        let outcome = try await PairDelivery.scripted(none, journal: try Self.journal(directory, "state")).deliver(
            try Self.pair(in: directory))
        #expect(outcome.isFailed, "\(outcome)")
        #expect(ProblemDocument.code(of: try Self.problem(directory)) == "recording_already_exists")
    }

    @Test func aRecordingGoneBeforeItCouldBeHashedIsMissing() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let vanishing = ScriptedTransport(
            upload: { _, path in
                try? FileManager.default.removeItem(atPath: path)
                return Self.alreadyExists
            }, storedSHA256: { _ in .success(Self.abcSHA256) })
        let outcome = try await PairDelivery.scripted(vanishing, journal: try Self.journal(directory, "state"))
            .deliver(try Self.pair(in: directory))
        #expect(outcome.isFailed, "\(outcome)")
        #expect(ProblemDocument.code(of: try Self.problem(directory)) == "recording_missing")
    }

    /// The upload's length is fixed when it starts; a file that grew meanwhile is not what the call holds.
    @Test func aRecordingThatChangedDuringItsUploadIsFiledAsFailedNamingTheCall() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pair = try Self.pair(in: directory)
        let transport = ScriptedTransport(upload: { _, path in
            // The PBX appends after the settle time, while the upload runs.
            let handle = FileHandle(forWritingAtPath: path)
            _ = try? handle?.seekToEnd()
            try? handle?.write(contentsOf: Data("defg".utf8))
            try? handle?.close()
            return .success(())
        })
        let journal = try Self.journal(directory, "state")
        let outcome = try await PairDelivery.scripted(transport, journal: journal).deliver(pair)
        guard case .failed(let reason) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(reason.contains("from 3 to 7 bytes"), "\(reason)")
        let problem = try Self.problem(directory)
        #expect(ProblemDocument.code(of: problem) == "recording_changed_after_upload")
        #expect(ProblemDocument.summary(of: problem, status: 0).contains(Self.callID))
        #expect(TemporaryDirectory.files(directory, in: "failed") == ["call.error.json", "call.json", "call.wav"])
        let entry = try #require(await journal.entry(for: pair.identity.idempotencyKey))
        #expect(entry.finished == .failed && entry.callID == Self.callID)
    }

    @Test func aRecordingUnchangedSinceItsUploadIsDelivered() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pair = try Self.pair(in: directory)
        let transport = ScriptedTransport()
        let outcome = try await PairDelivery.scripted(transport, journal: try Self.journal(directory, "state"))
            .deliver(pair)
        #expect(outcome == .delivered(callID: Self.callID))
        #expect(TemporaryDirectory.files(directory, in: "done") == ["call.json", "call.wav"])
    }

    @Test func changesAreDescribedBySizeTimeOrAbsence() throws {
        let before = FileStamp(size: 10, modified: 1)
        #expect(RecordingChange("/r.wav", uploaded: before, now: before) == nil)
        #expect(
            RecordingChange("/r.wav", uploaded: before, now: FileStamp(size: 12, modified: 2))?.reason.contains("from 10 to 12 bytes")
                == true)
        #expect(RecordingChange("/r.wav", uploaded: before, now: FileStamp(size: 10, modified: 2))?.reason.contains("same size") == true)
        #expect(RecordingChange("/r.wav", uploaded: before, now: nil)?.reason.contains("removed or replaced") == true)
    }

    /// A journal written before the key held the watched directory: the file it names resumes under its old
    /// key (no second call); the same file in another directory is a pair of its own.
    @Test func aPairInAnEarlierVersionsJournalResumesUnderItsOldKey() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pair = try Self.pair(in: directory)
        let journal = try Self.journal(directory, "state")
        let old = pair.identity.keyWithoutDirectory
        try await journal.record(.taken(key: old, station: "pbx", file: pair.metadataPath, metadataSHA256: pair.identity.metadataSHA256))
        try await journal.record(.created(key: old, callID: Self.callID))
        let transport = ScriptedTransport(create: { _ in .success("6f1c2d3e-0000-4000-8000-000000000002") })
        #expect(try await PairDelivery.scripted(transport, journal: journal).deliver(pair) == .delivered(callID: Self.callID))
        #expect(transport.requests.withLock { $0.creates.isEmpty && $0.uploads.map(\.callID) == [Self.callID] })
        #expect(await journal.entry(for: old)?.finished == .done)

        let elsewhere = try TemporaryDirectory()
        defer { elsewhere.remove() }
        let twin = try Self.pair(in: elsewhere)
        #expect(twin.identity.keyWithoutDirectory == old && twin.identity.idempotencyKey != pair.identity.idempotencyKey)
        #expect(
            try await PairDelivery.scripted(transport, journal: journal).deliver(twin)
                == .delivered(callID: "6f1c2d3e-0000-4000-8000-000000000002"))
        #expect(transport.requests.withLock { $0.creates } == [twin.identity.idempotencyKey])
    }
}

extension PairOutcome {
    var isFailed: Bool {
        if case .failed = self { true } else { false }
    }
}

extension TemporaryDirectory {
    static func files(_ directory: TemporaryDirectory, in subdirectory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path + "/" + subdirectory)) ?? []).sorted()
    }
}
