import Foundation
import StationIngest
import TestSupport
import Testing

extension IntegrationSuite {
    /// `calls-ingest`'s delivery against the real API (PostgreSQL, Redis, a live socket).
    @Suite struct StationIngestDeliveryTests {
        enum Transport: String, CaseIterable { case http, grpc }

        @Test(arguments: Transport.allCases)
        func deliversEachPairOnceAndResumesAPairWhoseCallExists(over transport: Transport) async throws {
            try await Stack.withMigrated { stack, _ in
                try await stack.withAPIAndGRPC { client, grpc in
                    var station = try StationFixture(port: client.port!)
                    if transport == .grpc { station.grpc = grpc.client }
                    defer { station.remove() }
                    var sizes: [String: Int] = [:]
                    for index in 0..<3 { sizes["fresh-\(index)"] = try station.writePair("fresh-\(index)") }
                    sizes["resumed"] = try station.writePair("resumed", caller: "+1 555 0100")
                    try station.writePair("refused-by-api", caller: "not a phone number")
                    try station.writePair("refused-by-parser", metadata: #"{"receiver": "+1 555 0101"}"#)

                    // A run killed between the create and the upload: the journal holds the call it made.
                    let journal = try IngestJournal(directory: station.state.path)
                    let identity = try station.identity("resumed")
                    guard
                        case .success(let callID) = await station.transport.createCall(
                            CallFields(caller: "+1 555 0100", receiver: "+44 20 7946 0958", startedAt: Date(), tags: []),
                            idempotencyKey: identity.idempotencyKey)
                    else { throw SetupError("the resumed pair's call was not created") }
                    try await journal.record(
                        .taken(
                            key: identity.idempotencyKey, station: "pbx-1", file: station.watch.path + "/resumed.json",
                            metadataSHA256: identity.metadataSHA256))
                    try await journal.record(.created(key: identity.idempotencyKey, callID: callID))

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
        }

        @Test func anUploadWhoseAnswerWasLostCountsAsDeliveredButAStrangersRecordingDoesNot() async throws {
            try await Stack.withMigrated { stack, _ in
                try await stack.withAPI { client in
                    let station = try StationFixture(port: client.port!)
                    defer { station.remove() }
                    try station.writePair("ours")
                    try station.writePair("theirs")
                    let journal = try IngestJournal(directory: station.state.path)
                    for name in ["ours", "theirs"] {
                        let identity = try station.identity(name)
                        guard
                            case .success(let callID) = await station.transport.createCall(
                                CallFields(caller: "+1 555 0100", receiver: "+1 555 0101", startedAt: Date(), tags: []),
                                idempotencyKey: identity.idempotencyKey)
                        else { throw SetupError("no call for \(name)") }
                        try await journal.record(
                            .taken(
                                key: identity.idempotencyKey, station: "pbx-1", file: station.watch.path + "/\(name).json",
                                metadataSHA256: identity.metadataSHA256))
                        try await journal.record(.created(key: identity.idempotencyKey, callID: callID))
                        // "ours": the upload landed but the client died before recording it; "theirs": someone
                        // else put another recording on the call.
                        let upload = station.watch.path + "/\(name)-upload.wav"
                        try (name == "ours" ? StationFixture.tone(seconds: 1) : StationFixture.tone(seconds: 0.5))
                            .write(to: URL(fileURLWithPath: upload))
                        guard
                            case .success = await station.transport.uploadRecording(
                                callID: callID, path: upload, fileName: "x.wav", sent: { _ in })
                        else { throw SetupError("no upload for \(name)") }
                        try FileManager.default.removeItem(atPath: upload)
                    }
                    let summary = try await station.runner(journal: journal, reporter: RecordingReporter()).run()
                    #expect(summary.delivered == 1 && summary.failed == 1)
                    #expect(station.files(in: "done") == ["ours.json", "ours.wav"])
                    #expect(station.files(in: "failed") == ["theirs.error.json", "theirs.json", "theirs.wav"])
                    let problem = try Data(contentsOf: URL(fileURLWithPath: station.watch.path + "/failed/theirs.error.json"))
                    #expect(ProblemDocument.code(of: Array(problem)) == "recording_already_exists")
                    #expect(try await station.calls().count == 2)
                }
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
