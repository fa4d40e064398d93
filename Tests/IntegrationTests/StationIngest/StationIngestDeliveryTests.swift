import Foundation
import StationIngest
import TestSupport
import Testing

extension IntegrationSuite {
    /// `calls-ingest`'s delivery against the real API (PostgreSQL, Redis, a live socket).
    @Suite struct StationIngestDeliveryTests {
        enum Transport: String, CaseIterable { case http, grpc }

        /// A fresh stack serving REST and gRPC, and a station whose client talks to it over `transport`.
        static func withStation(over transport: Transport, _ body: @escaping @Sendable (StationFixture) async throws -> Void) async throws {
            try await Stack.withMigrated { stack, _ in
                try await stack.withAPIAndGRPC { client, grpc in
                    var station = try StationFixture(port: client.port!)
                    if transport == .grpc { station.grpc = grpc.client }
                    defer { station.remove() }
                    try await body(station)
                }
            }
        }

        @Test(arguments: Transport.allCases)
        func deliversEachPairOnceAndResumesAPairWhoseCallExists(over transport: Transport) async throws {
            try await Self.withStation(over: transport) { station in
                var sizes: [String: Int] = [:]
                for index in 0..<3 { sizes["fresh-\(index)"] = try station.writePair("fresh-\(index)") }
                sizes["resumed"] = try station.writePair("resumed", caller: "+1 555 0100")
                try station.writePair("refused-by-api", caller: "not a phone number")
                try station.writePair("refused-by-parser", metadata: #"{"receiver": "+1 555 0101"}"#)

                // A run killed between the create and the upload: the journal holds the call it made.
                let journal = try IngestJournal(directory: station.state.path)
                let callID = try await station.createdInAnEarlierRun("resumed", journal: journal)

                let reporter = RecordingReporter()
                let summary = try await station.runner(journal: journal, reporter: reporter).run()
                #expect(summary.delivered == 4 && summary.failed == 2 && summary.pending == 0)

                let calls = try await station.calls()
                #expect(calls.count == 4, "one call per deliverable pair, the resumed one included")
                #expect(calls.contains { $0.id == callID })
                for call in calls { #expect(call.recording?.size_bytes == Int64(sizes.values.first!), "\(call.id)") }
                #expect(!reporter.events.contains { if case .created(file: "resumed.json", _) = $0 { true } else { false } })

                var delivered: [String] = []
                for name in sizes.keys.sorted() { delivered += ["\(name).json", "\(name).wav"] }
                #expect(station.files(in: "done") == delivered.sorted())
                #expect(
                    station.files(in: "failed") == [
                        "refused-by-api.error.json", "refused-by-api.json", "refused-by-api.wav", "refused-by-parser.error.json",
                        "refused-by-parser.json", "refused-by-parser.wav",
                    ])
                let apiProblem = try Data(contentsOf: URL(fileURLWithPath: station.watch.path + "/failed/refused-by-api.error.json"))
                #expect(ProblemDocument.code(of: Array(apiProblem)) == "validation_failed")
                let parserProblem = try Data(
                    contentsOf: URL(fileURLWithPath: station.watch.path + "/failed/refused-by-parser.error.json"))
                #expect(ProblemDocument.code(of: Array(parserProblem)) == "invalid_metadata")
                #expect(ProblemDocument.summary(of: Array(parserProblem), status: 0).contains("caller"))
            }
        }

        /// The stored recording's SHA-256 tells ours from a stranger's, even one of exactly our size.
        @Test(arguments: Transport.allCases)
        func anUploadWhoseAnswerWasLostCountsAsDeliveredButAStrangersRecordingDoesNot(over transport: Transport) async throws {
            try await Self.withStation(over: transport) { station in
                let ours = try station.writePair("ours")
                let theirs = try station.writePair("theirs")
                let journal = try IngestJournal(directory: station.state.path)
                for name in ["ours", "theirs"] {
                    let callID = try await station.createdInAnEarlierRun(name, journal: journal)
                    // "ours": the upload landed but the client died before recording it; "theirs": someone
                    // else put another recording of the same size on the call (one sample differs).
                    var audio = StationFixture.tone(seconds: 1)
                    if name == "theirs" { audio[audio.count - 1] ^= 0x55 }
                    let upload = station.watch.path + "/\(name)-upload.wav"
                    try audio.write(to: URL(fileURLWithPath: upload))
                    guard
                        case .success = await station.transport.uploadRecording(
                            callID: callID, path: upload, fileName: "x.wav", sent: { _ in })
                    else { throw SetupError("no upload for \(name)") }
                    try FileManager.default.removeItem(atPath: upload)
                }
                let calls = try await station.calls()
                #expect(calls.count == 2 && calls.allSatisfy { $0.recording?.size_bytes == Int64(ours) } && ours == theirs)
                let summary = try await station.runner(journal: journal, reporter: RecordingReporter()).run()
                #expect(summary.delivered == 1 && summary.failed == 1)
                #expect(station.files(in: "done") == ["ours.json", "ours.wav"])
                #expect(station.files(in: "failed") == ["theirs.error.json", "theirs.json", "theirs.wav"])
                let problem = try Data(contentsOf: URL(fileURLWithPath: station.watch.path + "/failed/theirs.error.json"))
                #expect(ProblemDocument.code(of: Array(problem)) == "recording_already_exists")
                #expect(try await station.calls().count == 2)
            }
        }

        /// Two watched directories holding a metadata file of the same name and content are two pairs: two
        /// calls, each with its own recording.
        @Test(arguments: Transport.allCases)
        func theSameFileInTwoWatchedDirectoriesMakesTwoCalls(over transport: Transport) async throws {
            try await Self.withStation(over: transport) { station in
                let second = try TemporaryDirectory()
                defer { second.remove() }
                try station.writePair("call-1")
                let twin = StationFixture(watch: second, state: station.state, api: station.api)
                try twin.writePair("call-1", seconds: 2)
                #expect(try station.metadataBytes("call-1") == twin.metadataBytes("call-1"))
                let journal = try IngestJournal(directory: station.state.path)
                let summary = try await station.runner(alsoWatching: [second.path], journal: journal, reporter: RecordingReporter())
                    .run()
                #expect(summary.delivered == 2 && summary.failed == 0)
                let calls = try await station.calls()
                #expect(calls.count == 2)
                #expect(Set(calls.compactMap { $0.recording?.size_bytes }).count == 2, "each call holds its own recording")
                #expect(station.files(in: "done") == ["call-1.json", "call-1.wav"])
                #expect(twin.files(in: "done") == ["call-1.json", "call-1.wav"])
            }
        }

        /// A recording that grows once its upload is answered: the call holds what was sent, and the pair is
        /// filed as failed (not delivered) with the call named.
        @Test(arguments: Transport.allCases)
        func aRecordingThatGrewAfterItsUploadIsFiledAsFailed(over transport: Transport) async throws {
            try await Self.withStation(over: transport) { station in
                let size = try station.writePair("growing")
                let journal = try IngestJournal(directory: station.state.path)
                let growing = GrowsAfterUpload(wrapped: station.transport)
                let summary = try await station.runner(over: growing, journal: journal, reporter: RecordingReporter()).run()
                #expect(summary.delivered == 0 && summary.failed == 1)
                let calls = try await station.calls()
                #expect(calls.count == 1 && calls.first?.recording?.size_bytes == Int64(size))
                #expect(station.files(in: "failed") == ["growing.error.json", "growing.json", "growing.wav"])
                let problem = Array(try Data(contentsOf: URL(fileURLWithPath: station.watch.path + "/failed/growing.error.json")))
                #expect(ProblemDocument.code(of: problem) == "recording_changed_after_upload")
                #expect(ProblemDocument.summary(of: problem, status: 0).contains(calls.first?.id ?? "?"))
                let kept = FileManager.default.contents(atPath: station.watch.path + "/failed/growing.wav")
                #expect(kept?.count == size + GrowsAfterUpload.appended)
            }
        }

        /// An empty recording is refused for its content over both transports alike, not as a request without a file.
        @Test(arguments: Transport.allCases)
        func anEmptyRecordingIsRefusedAsUnsupportedMediaOverEitherTransport(over transport: Transport) async throws {
            try await Self.withStation(over: transport) { station in
                try station.writePair("empty")
                try Data().write(to: URL(fileURLWithPath: station.watch.path + "/empty.wav"))
                let journal = try IngestJournal(directory: station.state.path)
                let summary = try await station.runner(journal: journal, reporter: RecordingReporter()).run()
                #expect(summary.failed == 1 && summary.delivered == 0)
                let problem = Array(try Data(contentsOf: URL(fileURLWithPath: station.watch.path + "/failed/empty.error.json")))
                #expect(ProblemDocument.code(of: problem) == "unsupported_media", "\(String(decoding: problem, as: UTF8.self))")
            }
        }

        @Test func withOnceAnUnreachableServiceLeavesThePairForTheNextRun() async throws {
            let station = try StationFixture(port: try StationFixture.closedPort())
            defer { station.remove() }
            try station.writePair("waiting")
            let journal = try IngestJournal(directory: station.state.path)
            let reporter = RecordingReporter()
            let summary = try await station.runner(attempts: 3, journal: journal, reporter: reporter).run()
            #expect(summary.pending == 1 && summary.delivered == 0)
            #expect(station.files(in: "").filter { !$0.hasPrefix(".") } == ["waiting.json", "waiting.wav"])
            let retries = reporter.events.filter { if case .retrying = $0 { true } else { false } }
            #expect(retries.count == 2)
            let entry = try #require(await journal.entry(for: try station.identity("waiting").idempotencyKey))
            #expect(entry.callID == nil && entry.finished == nil)
        }
    }
}

/// The real transport, with a PBX that goes on writing the recording once its upload was answered.
struct GrowsAfterUpload: CallsTransport {
    static let appended = 8000
    let wrapped: any CallsTransport

    func createCall(_ fields: CallFields, idempotencyKey: String) async -> AttemptResult<String> {
        await wrapped.createCall(fields, idempotencyKey: idempotencyKey)
    }

    func uploadRecording(
        callID: String, path: String, fileName: String, sent: @escaping @Sendable (Int64) -> Void
    ) async -> AttemptResult<Void> {
        let result = await wrapped.uploadRecording(callID: callID, path: path, fileName: fileName, sent: sent)
        if let handle = FileHandle(forWritingAtPath: path) {
            _ = try? handle.seekToEnd()
            try? handle.write(contentsOf: Data(repeating: 0, count: Self.appended))
            try? handle.close()
        }
        return result
    }

    func storedRecordingSHA256(callID: String) async -> AttemptResult<String?> {
        await wrapped.storedRecordingSHA256(callID: callID)
    }
}
