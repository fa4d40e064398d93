import Foundation
import StationIngest
import TestSupport
import Testing

extension IntegrationSuite {
    /// The built `calls-ingest` (next to the test binary), run as a PBX would run it.
    @Suite struct CallsIngestExecutableTests {
        static var executable: String {
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("calls-ingest").path
        }

        static func start(_ station: StationFixture, _ extra: [String]) throws -> ChildProcess {
            let keyFile = station.state.path + "/key"
            try "calls_test_key\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
            return try ChildProcess(
                executable: executable,
                arguments: [
                    "--watch", station.watch.path, "--api", station.api, "--key-file", keyFile, "--station", "pbx-1", "--state",
                    station.state.path + "/journal", "--settle", "0.2", "--retry-max", "0.2",
                ] + extra,
                standardOutput: station.state.path + "/out.log", mergeStandardError: true)
        }

        static func output(_ station: StationFixture) -> String {
            (try? String(contentsOfFile: station.state.path + "/out.log", encoding: .utf8)) ?? ""
        }

        /// A FreeSWITCH CDR (values URL-encoded as mod_xml_cdr writes them) whose recording is `<uuid>.wav` in
        /// the recordings directory, or the file its `record_path` names.
        static func writeCDR(_ station: StationFixture, recordings: String, uuid: String, recordPath: String? = nil) throws {
            var variables = ""
            let values =
                [
                    ("uuid", uuid), ("caller_id_number", "%2B15550100"), ("destination_number", "1002"), ("start_epoch", "1764581400"),
                    ("answer_epoch", "1764581405"), ("end_epoch", "1764581460"), ("hangup_cause", "NORMAL_CLEARING"),
                    ("duration", "60"), ("billsec", "55"), ("direction", "outbound"),
                ] + (recordPath.map { [("record_path", $0)] } ?? [])
            for (name, value) in values { variables += "<\(name)>\(value)</\(name)>" }
            try StationFixture.tone(seconds: 2).write(to: URL(fileURLWithPath: recordings + "/\(uuid).wav"))
            let xml = "<?xml version=\"1.0\"?>\n<cdr><variables>\(variables)</variables></cdr>\n"
            try Data(xml.utf8).write(to: URL(fileURLWithPath: station.watch.path + "/\(uuid).cdr.xml"))
        }

        @Test func onceDeliversJSONAndFreeSWITCHPairsAndExitsZeroWithJSONLogLines() async throws {
            try await Stack.withMigrated { stack, _ in
                try await stack.withAPI { client in
                    let station = try StationFixture(port: client.port!)
                    defer { station.remove() }
                    let recordings = try TemporaryDirectory()
                    defer { recordings.remove() }
                    try station.writePair("json-1")
                    try Self.writeCDR(station, recordings: recordings.path, uuid: "6f1c2d3e-0000-4000-8000-000000000001")
                    let process = try Self.start(station, ["--once", "--recordings-dir", recordings.path])
                    #expect(await process.waitForExit() == 0, "\(Self.output(station))")

                    let calls = try await station.calls()
                    #expect(calls.count == 2)
                    #expect(calls.allSatisfy { $0.recording != nil })
                    #expect(calls.contains { $0.caller == "+15550100" })
                    // What the CDR says beyond caller, receiver and start is kept with the call, under --station.
                    #expect(
                        calls.first { $0.caller == "+15550100" }?.station
                            == .init(
                                name: "pbx-1", call_id: "6f1c2d3e-0000-4000-8000-000000000001", direction: "outbound",
                                answered_at: "2025-12-01T09:30:05.000Z", ended_at: "2025-12-01T09:31:00.000Z",
                                hangup_cause: "NORMAL_CLEARING", duration_sec: 60, billable_sec: 55))
                    #expect(calls.first { $0.caller != "+15550100" }?.station == .init(name: "pbx-1"))
                    #expect(station.files(in: "done").count == 4)
                    #expect(try FileManager.default.contentsOfDirectory(atPath: recordings.path).isEmpty)
                    let lines = Self.output(station).split(separator: "\n")
                    #expect(lines.filter { $0.contains(#""event":"delivered""#) }.count == 2)
                    #expect(lines.contains { $0.contains(#""event":"summary""#) && $0.contains(#""delivered":2"#) })
                }
            }
        }

        /// A CDR naming a file outside --recordings-dir and the watched directories, by its path or through a
        /// link in the recordings directory: the pair is refused with the reason, nothing is sent, and neither
        /// the file nor the link is moved.
        @Test func aCDRNamingAFileOutsideTheAllowedDirectoriesIsRefused() async throws {
            try await Stack.withMigrated { stack, _ in
                try await stack.withAPI { client in
                    let station = try StationFixture(port: client.port!)
                    let recordings = try TemporaryDirectory()
                    let outside = try TemporaryDirectory()
                    defer {
                        station.remove()
                        recordings.remove()
                        outside.remove()
                    }
                    let secret = outside.path + "/secret.wav"
                    let audio = StationFixture.tone(seconds: 1)
                    try audio.write(to: URL(fileURLWithPath: secret))
                    try Self.writeCDR(
                        station, recordings: recordings.path, uuid: "6f1c2d3e-0000-4000-8000-000000000011", recordPath: secret)
                    let linked = "6f1c2d3e-0000-4000-8000-000000000012"
                    try Self.writeCDR(station, recordings: recordings.path, uuid: linked)
                    try FileManager.default.removeItem(atPath: recordings.path + "/\(linked).wav")
                    try FileManager.default.createSymbolicLink(atPath: recordings.path + "/\(linked).wav", withDestinationPath: secret)

                    let process = try Self.start(station, ["--once", "--recordings-dir", recordings.path])
                    #expect(await process.waitForExit() == 0, "\(Self.output(station))")
                    #expect(try await station.calls().isEmpty)
                    #expect(FileManager.default.contents(atPath: secret) == audio)
                    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: recordings.path + "/\(linked).wav") == secret)
                    #expect(
                        station.files(in: "failed") == [
                            "6f1c2d3e-0000-4000-8000-000000000011.cdr.error.json", "6f1c2d3e-0000-4000-8000-000000000011.cdr.xml",
                            "\(linked).cdr.error.json", "\(linked).cdr.xml",
                        ])
                    for name in ["6f1c2d3e-0000-4000-8000-000000000011", linked] {
                        let problem = Array(
                            try Data(contentsOf: URL(fileURLWithPath: station.watch.path + "/failed/\(name).cdr.error.json")))
                        #expect(ProblemDocument.code(of: problem) == "recording_outside_allowed_directories")
                        #expect(ProblemDocument.summary(of: problem, status: 0).contains("secret.wav"))
                    }
                }
            }
        }

        @Test func sigtermWhileRetryingStopsCleanlyAndTheNextRunDeliversOnce() async throws {
            let unreachable = try StationFixture(port: try StationFixture.closedPort())
            defer { unreachable.remove() }
            try unreachable.writePair("later")
            let watching = try Self.start(unreachable, [])
            try await expectEventually("a retry", within: 60) { Self.output(unreachable).contains(#""event":"retrying""#) }
            kill(watching.pid, SIGTERM)
            // A client that ignored the signal is killed after a minute, and then its status is not 0.
            let guardian = Task {
                try await Task.sleep(for: .seconds(60))
                kill(watching.pid, SIGKILL)
            }
            #expect(await watching.waitForExit() == 0, "\(Self.output(unreachable))")
            guardian.cancel()
            #expect(Self.output(unreachable).contains(#""event":"summary""#))

            try await Stack.withMigrated { stack, _ in
                try await stack.withAPI { client in
                    // The same directories, now with the service reachable.
                    let station = StationFixture(
                        watch: unreachable.watch, state: unreachable.state, api: "http://127.0.0.1:\(client.port!)")
                    let process = try Self.start(station, ["--once"])
                    #expect(await process.waitForExit() == 0, "\(Self.output(station))")
                    #expect(try await station.calls().count == 1)
                    #expect(station.files(in: "done") == ["later.json", "later.wav"])
                }
            }
        }

        @Test func aWatchedDirectoryThatIsNotThereIsRefusedAtStart() async throws {
            let station = try StationFixture(port: try StationFixture.closedPort())
            defer { station.remove() }
            let process = try Self.start(station, ["--once", "--watch", station.watch.path + "/missing"])
            #expect(await process.waitForExit() != 0)
            #expect(Self.output(station).contains("/missing is not a directory"))
        }

        /// Over gRPC: pairs delivered, the service's refusal in the failed directory with its problem (the code
        /// and the HTTP status of its REST twin), exit 0.
        @Test func onceOverGRPCDeliversAndFilesTheServicesRefusal() async throws {
            try await Stack.withMigrated { stack, _ in
                try await stack.withAPIAndGRPC { client, grpc in
                    let http = try StationFixture(port: client.port!)
                    let grpcPort = try #require(Int(grpc.address.split(separator: ":").last ?? ""))
                    let station = StationFixture(watch: http.watch, state: http.state, api: "127.0.0.1:\(grpcPort)")
                    defer { station.remove() }
                    try station.writePair("one", caller: "+1 555 0111")
                    let withFacts =
                        #"{"caller": "+1 555 0112", "receiver": "+44 20 7946 0958", "started_at": "2026-11-21T09:30:00Z", "#
                        + #""ended_at": "2026-11-21T10:30:42+01:00", "direction": "internal"}"#
                    try station.writePair("two", seconds: 2, metadata: withFacts)
                    try station.writePair("refused", caller: "not a phone number")
                    let process = try Self.start(station, ["--once", "--transport", "grpc"])
                    #expect(await process.waitForExit() == 0, "\(Self.output(station))")
                    let calls = try await http.calls()
                    #expect(Set(calls.map(\.caller)) == ["+1 555 0111", "+1 555 0112"])
                    #expect(
                        calls.first { $0.caller == "+1 555 0112" }?.station
                            == .init(name: "pbx-1", direction: "internal", ended_at: "2026-11-21T09:30:42.000Z"))
                    #expect(calls.allSatisfy { $0.recording != nil })
                    #expect(station.files(in: "done") == ["one.json", "one.wav", "two.json", "two.wav"])
                    let problem = try Data(contentsOf: URL(fileURLWithPath: station.watch.path + "/failed/refused.error.json"))
                    #expect(ProblemDocument.code(of: Array(problem)) == "validation_failed")
                    let fields = try JSONSerialization.jsonObject(with: problem) as? [String: Any]
                    #expect(
                        fields?["status"] as? Int == 422 && (fields?["detail"] as? String)?.contains("caller") == true, "\(fields ?? [:])")
                }
            }
        }

        @Test func grpcNeedsHostAndPort() async throws {
            let station = StationFixture(watch: try TemporaryDirectory(), state: try TemporaryDirectory(), api: "http://127.0.0.1:9090")
            defer { station.remove() }
            let process = try Self.start(station, ["--once", "--transport", "grpc"])
            #expect(await process.waitForExit() != 0)
            #expect(Self.output(station).contains("host:port"), "\(Self.output(station))")
        }

        /// A name the service would refuse would file every pair as failed: the client refuses it at start.
        @Test(arguments: [String(repeating: "p", count: 65), " pbx-1", "pbx\t1"])
        func aStationNameTheServiceWouldRefuseStopsTheClientAtStart(_ name: String) async throws {
            let station = StationFixture(watch: try TemporaryDirectory(), state: try TemporaryDirectory(), api: "http://127.0.0.1:9")
            defer { station.remove() }
            let process = try Self.start(station, ["--once", "--station", name])
            #expect(await process.waitForExit() != 0)
            #expect(Self.output(station).contains("--station must be 1 to 64 characters"), "\(Self.output(station))")
        }
    }
}
