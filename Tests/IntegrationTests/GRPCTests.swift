import CallsCore
import CallsProto
import CallsStore
import Crypto
import Foundation
import GRPCCore
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SwiftProtobuf
import TestSupport
import Testing

extension IntegrationSuite {
    /// `calls.v1.Calls` and `grpc.health.v1.Health` through the production application, over a real socket,
    /// with grpc-swift's own client; the independent Python client is `scripts/grpc_client_test.py`.
    @Suite struct GRPCTests {
        @Test func aCallTakenOverGRPCIsTheCallRESTShows() async throws {
            try await Stack.withMigrated { stack, _ in
                try await stack.withWorker { () async throws -> Void in
                    try await stack.withAPIAndGRPC { rest, grpc in
                        var create = GRPCTestClient.newCall(tags: ["Sales"])
                        create.idempotencyKey = "station-7/call-42"
                        let created = try await grpc.calls.createCall(create)
                        #expect(!created.replayed && created.call.status == .created && created.call.tags == ["sales"])
                        let replay = try await grpc.calls.createCall(create)
                        #expect(replay.replayed && replay.call.id == created.call.id)
                        let id = created.call.id

                        let audio = CallFlowTests.dialogue()
                        let accepted = try await grpc.upload(audio, toCall: id)
                        #expect(accepted.callID == id && accepted.format == "wav" && accepted.status == .processing)
                        #expect(accepted.sizeBytes == Int64(audio.count))
                        #expect(accepted.sha256 == SHA256.hash(data: audio).map { String(format: "%02x", $0) }.joined())

                        var watch = Calls_V1_WatchCallRequest()
                        watch.id = id
                        let statuses = try await grpc.calls.watchCall(watch) { response in
                            var seen: [Calls_V1_CallStatus] = []
                            for try await call in response.messages { seen.append(call.status) }
                            return seen
                        }
                        // Ends with `ready`; before it, only earlier statuses (the worker may finish before the watch starts).
                        #expect(statuses.last == .ready && statuses.dropLast().allSatisfy { $0 != .ready }, "\(statuses)")
                        #expect(statuses == statuses.sorted { $0.rawValue < $1.rawValue }, "\(statuses)")
                        // The MP3 archive follows the analysis; compare once it is there, so nothing changes between reads.
                        _ = try await poll(within: 30, { try await rest.call(id) }, until: { $0.recording?.archive?.status == .done })

                        let viaGRPC = try await grpc.get(id)
                        let (status, body) = try await rest.json(.get, "/calls/\(id)")
                        #expect(status == .ok)
                        try Self.expectSameCall(viaGRPC, json: body.data)

                        var list = Calls_V1_ListCallsRequest()
                        list.phone = "+7 (900) 123-45-67"
                        list.statuses = [.ready]
                        list.limit = 10
                        let listed = try await grpc.calls.listCalls(list)
                        #expect(listed.items.map(\.id) == [id] && listed.total == 1 && listed.nextPageToken.isEmpty)

                        var link = Calls_V1_GetDownloadURLRequest()
                        link.id = id
                        let url = try await grpc.calls.getDownloadURL(link)
                        #expect(url.url.hasPrefix("/recordings/") && url.format == "mp3", "\(url)")
                        let downloaded = try await rest.execute(uri: url.url, method: .get) { Data(buffer: $0.body) }
                        var stream = Calls_V1_StreamRecordingRequest()
                        stream.id = id
                        let (info, streamed) = try await grpc.calls.streamRecording(stream) { response in
                            var info: Calls_V1_RecordingInfo?
                            var bytes = Data()
                            for try await chunk in response.messages {
                                if chunk.hasInfo { info = chunk.info }
                                bytes.append(chunk.data)
                            }
                            return (info, bytes)
                        }
                        #expect(streamed == downloaded && !streamed.isEmpty)
                        #expect(info?.sizeBytes == Int64(streamed.count) && info?.contentType == "audio/mpeg")
                        #expect(SHA256.hash(data: streamed).map { String(format: "%02x", $0) }.joined() == viaGRPC.recording.archive.sha256)

                        var delete = Calls_V1_DeleteCallRequest()
                        delete.id = id
                        _ = try await grpc.calls.deleteCall(delete)
                        _ = try await grpc.calls.deleteCall(delete)
                        await expectRPCError(.notFound, problem: "call_not_found") { _ = try await grpc.get(id) }
                    }
                }
            }
        }

        /// Field for field, the gRPC message against REST's JSON of the same call.
        static func expectSameCall(_ call: Calls_V1_Call, json: Data) throws {
            let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
            #expect(call.id == object["id"] as? String)
            #expect(call.caller == object["caller"] as? String && call.receiver == object["receiver"] as? String)
            #expect(call.tags == object["tags"] as? [String])
            #expect("\(call.status)".lowercased() == (object["status"] as? String))
            #expect(Timestamp.format(call.startedAt.date) == object["started_at"] as? String)
            #expect(Timestamp.format(call.updatedAt.date) == object["updated_at"] as? String)
            let recording = try #require(object["recording"] as? [String: Any])
            #expect(call.recording.id == recording["id"] as? String)
            #expect(call.recording.sha256 == recording["sha256"] as? String)
            #expect(call.recording.sizeBytes == (recording["size_bytes"] as? NSNumber)?.int64Value)
            #expect(call.recording.durationSec == (recording["duration_sec"] as? NSNumber)?.doubleValue)
            #expect(call.recording.transcription == recording["transcription"] as? String)
            #expect(call.recording.originalAvailable == recording["original_available"] as? Bool)
            let marks = try #require(recording["silence_marks"] as? [[String: Any]])
            #expect(call.recording.silenceMarks.count == marks.count && !marks.isEmpty)
            for (mark, json) in zip(call.recording.silenceMarks, marks) {
                #expect(mark.start == (json["start"] as? NSNumber)?.doubleValue && mark.end == (json["end"] as? NSNumber)?.doubleValue)
            }
            let archive = try #require(recording["archive"] as? [String: Any])
            #expect(call.recording.archive.sha256 == archive["sha256"] as? String && call.recording.archive.status == "done")
            // The Struct holds REST's analysis object itself: compared as parsed JSON, numbers as numbers.
            let analysis = try JSONSerialization.jsonObject(with: call.recording.analysis.jsonUTF8Data()) as? NSDictionary
            #expect(analysis == recording["analysis"] as? NSDictionary)
            #expect(analysis?["timeline"] != nil)
        }

        @Test func everyRefusalCarriesTheStatusAndTheProblemCodeOfItsRESTTwin() async throws {
            try await Stack.withMigrated { plain, _ in
                var limited = plain
                limited.api.maxUploadBytes = 96 * 1024  // the dialogue (89 644 bytes) fits, 100 KiB does not
                let stack = limited
                try await stack.withAPIAndGRPC { rest, grpc in
                    await expectRPCError(.notFound, problem: "call_not_found") { _ = try await grpc.get(UUID().uuidString) }
                    await expectRPCError(.notFound, problem: "call_not_found") { _ = try await grpc.get("not-an-id") }
                    var invalid = GRPCTestClient.newCall(caller: "nobody")
                    invalid.clearStartedAt()
                    await expectRPCError(.invalidArgument, problem: "validation_failed") { _ = try await grpc.calls.createCall(invalid) }
                    var badKey = GRPCTestClient.newCall()
                    badKey.idempotencyKey = "has space"
                    await expectRPCError(.invalidArgument, problem: "validation_failed") { _ = try await grpc.calls.createCall(badKey) }
                    var keyed = GRPCTestClient.newCall()
                    keyed.idempotencyKey = "k-1"
                    _ = try await grpc.calls.createCall(keyed)
                    keyed.caller = "+1 555 0100"
                    await expectRPCError(.invalidArgument, problem: "idempotency_key_reused") { _ = try await grpc.calls.createCall(keyed) }

                    let id = try await grpc.calls.createCall(GRPCTestClient.newCall()).call.id
                    await expectRPCError(.resourceExhausted, problem: "payload_too_large") {
                        _ = try await grpc.upload(Data(repeating: 1, count: 100 * 1024), toCall: id, chunkSize: 16 * 1024)
                    }
                    await expectRPCError(.invalidArgument, problem: "unsupported_media") {
                        _ = try await grpc.upload(Data(repeating: 0x42, count: 10_000), toCall: id)
                    }
                    await expectRPCError(.invalidArgument, problem: "validation_failed") {
                        _ = try await grpc.calls.uploadRecording { writer in
                            var chunk = Calls_V1_UploadRecordingRequest()
                            chunk.chunk = Data(repeating: 1, count: 10)
                            try await writer.write(chunk)
                        }
                    }
                    await expectRPCError(.notFound, problem: "call_not_found") {
                        _ = try await grpc.upload(CallFlowTests.dialogue(), toCall: UUID().uuidString)
                    }
                    _ = try await grpc.upload(CallFlowTests.dialogue(), toCall: id)
                    await expectRPCError(.alreadyExists, problem: "recording_already_exists") {
                        _ = try await grpc.upload(CallFlowTests.dialogue(), toCall: id)
                    }
                    // Nothing of the refused uploads is left: no partial file, and the one recording is the one accepted.
                    let stored = try FileManager.default.subpathsOfDirectory(atPath: stack.recordings.path)
                    #expect(stored.filter { $0.hasSuffix(".part") }.isEmpty, "\(stored)")
                    #expect(stored.filter { $0.hasSuffix(".wav") }.count == 1, "\(stored)")

                    var stream = Calls_V1_StreamRecordingRequest()
                    stream.id = id
                    stream.format = "flac"
                    await expectRPCError(.invalidArgument, problem: "validation_failed") {
                        _ = try await grpc.calls.streamRecording(stream) { response in
                            for try await _ in response.messages {}
                        }
                    }
                    let (patched, _) = try await rest.json(.patch, "/calls/\(id)", #"{"tags": ["private"]}"#)
                    #expect(patched == .ok)
                    stream.clearFormat()
                    await expectRPCError(.permissionDenied, problem: "recording_private") {
                        _ = try await grpc.calls.streamRecording(stream) { response in
                            for try await _ in response.messages {}
                        }
                    }
                    var link = Calls_V1_GetDownloadURLRequest()
                    link.id = id
                    await expectRPCError(.permissionDenied, problem: "recording_private") { _ = try await grpc.calls.getDownloadURL(link) }
                    let bare = try await grpc.calls.createCall(GRPCTestClient.newCall()).call.id
                    link.id = bare
                    await expectRPCError(.notFound, problem: "recording_not_found") { _ = try await grpc.calls.getDownloadURL(link) }

                    var list = Calls_V1_ListCallsRequest()
                    list.pageToken = "forged"
                    await expectRPCError(.invalidArgument, problem: "validation_failed") { _ = try await grpc.calls.listCalls(list) }
                    list.clearPageToken()
                    list.statuses = [.unspecified]
                    await expectRPCError(.invalidArgument, problem: "validation_failed") { _ = try await grpc.calls.listCalls(list) }
                    list.statuses = []
                    list.limit = 201
                    await expectRPCError(.invalidArgument, problem: "validation_failed") { _ = try await grpc.calls.listCalls(list) }

                    var health = Grpc_Health_V1_HealthCheckRequest()
                    #expect(try await grpc.health.check(health).status == .serving)
                    health.service = "calls.v1.Calls"
                    #expect(try await grpc.health.check(health).status == .serving)
                    health.service = "some.Other"
                    await expectRPCError(.notFound) { _ = try await grpc.health.check(health) }
                }
            }
        }

        /// The server reads `UploadRecording` with the API's own deserializer: each chunk message on the direct
        /// path, the header through swift-protobuf. (Other tests' uploads can only add to the counts.)
        @Test func uploadChunksAreReadOnTheDirectPath() async throws {
            @Sendable func messagesRead(_ reading: String) -> Int {
                let prefix = #"calls_grpc_upload_messages_total{reading="\#(reading)"} "#
                let line = testMetricsRegistry.emitToString().split(separator: "\n").first { $0.hasPrefix(prefix) }
                return line.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
            }
            try await Stack.withMigrated { stack, _ in
                try await stack.withAPIAndGRPC { _, grpc in
                    let id = try await grpc.calls.createCall(GRPCTestClient.newCall()).call.id
                    let (direct, protobuf) = (messagesRead("direct"), messagesRead("protobuf"))
                    let audio = CallFlowTests.dialogue()
                    _ = try await grpc.upload(audio, toCall: id, chunkSize: 7_000)
                    #expect(messagesRead("direct") - direct >= (audio.count + 6_999) / 7_000)
                    #expect(messagesRead("protobuf") - protobuf >= 1)
                }
            }
        }

        /// Chunks of exactly one write (passed on whole) and of most of one (gathered), both in pooled buffers, two
        /// uploads at once: every byte arrives, in order, in the right file.
        @Test func largeChunksArriveWholeInConcurrentUploads() async throws {
            var audio = SyntheticAudio(noiseAmplitude: 0.003)
            let content = WAVFile.pcm16(audio.channel([.tone(seconds: 40), .noise(seconds: 20)]), channels: 1, sampleRate: 8000)
            try await Stack.withMigrated { stack, _ in
                try await stack.withAPIAndGRPC { _, grpc in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for chunkSize in [262_144, 200_000] {
                            group.addTask {
                                let id = try await grpc.calls.createCall(GRPCTestClient.newCall()).call.id
                                let accepted = try await grpc.upload(content, toCall: id, chunkSize: chunkSize)
                                #expect(accepted.sizeBytes == Int64(content.count), "\(chunkSize)")
                                #expect(
                                    accepted.sha256 == SHA256.hash(data: content).map { String(format: "%02x", $0) }.joined(),
                                    "\(chunkSize)")
                            }
                        }
                        try await group.waitForAll()
                    }
                }
            }
        }

        /// A header and no chunk is REST's multipart body without its `file` field: the same `validation_failed`
        /// (not `unsupported_media`, as if an empty file had been sent), and nothing stored.
        @Test func anUploadWithoutChunksIsRefusedAsRESTRefusesOneWithoutItsFile() async throws {
            try await Stack.withMigrated { stack, _ in
                try await stack.withAPIAndGRPC { rest, grpc in
                    let id = try await grpc.calls.createCall(GRPCTestClient.newCall()).call.id
                    var body = MultipartBody()
                    body.addField(name: "note", value: "the file is missing")
                    let (status, problem) = try await streamUpload(port: rest.port!, callID: id, body: body, chunkSize: 1024)
                    #expect(status == 422 && problem.problem?.code == "validation_failed", "\(problem)")
                    await expectRPCError(.invalidArgument, problem: "validation_failed") {
                        _ = try await grpc.upload(Data(), toCall: id)
                    }
                    #expect(stack.recordings.files().isEmpty, "\(stack.recordings.files())")
                    #expect(try await grpc.get(id).hasRecording == false)
                }
            }
        }

        @Test func keysAndRolesAreThoseOfREST() async throws {
            try await Stack.withMigrated { plain, url in
                var stack = plain
                stack.api.access = AccessSettings(authentication: true, requestsPerSecond: 1000, burst: 1000)
                let (read, write) = try await TestServices.withPostgres(url) { client in
                    let keys = PostgresAPIKeyRepository(client: client, logger: TestServices.logger)
                    return (
                        try await keys.create(role: .read, name: "wallboard").1.text,
                        try await keys.create(role: .write, name: "pbx").1.text
                    )
                }
                try await stack.withAPIAndGRPC { _, grpc in
                    await expectRPCError(.unauthenticated, problem: "authentication_required") {
                        _ = try await grpc.calls.createCall(GRPCTestClient.newCall())
                    }
                    await expectRPCError(.unauthenticated, problem: "invalid_api_key") {
                        _ = try await grpc.calls.createCall(GRPCTestClient.newCall(), metadata: GRPCTestClient.bearer("calls_nope"))
                    }
                    await expectRPCError(.permissionDenied, problem: "insufficient_role") {
                        _ = try await grpc.calls.createCall(GRPCTestClient.newCall(), metadata: GRPCTestClient.bearer(read))
                    }
                    let id = try await grpc.calls.createCall(GRPCTestClient.newCall(), metadata: GRPCTestClient.bearer(write)).call.id
                    await expectRPCError(.permissionDenied, problem: "insufficient_role") {
                        _ = try await grpc.upload(CallFlowTests.dialogue(), toCall: id, key: read)
                    }
                    var delete = Calls_V1_DeleteCallRequest()
                    delete.id = id
                    await expectRPCError(.permissionDenied, problem: "insufficient_role") {
                        _ = try await grpc.calls.deleteCall(delete, metadata: GRPCTestClient.bearer(read))
                    }
                    #expect(try await grpc.get(id, key: read).id == id)
                    await expectRPCError(.unauthenticated, problem: "authentication_required") { _ = try await grpc.get(id) }
                    // Like /healthz, the health service needs no key.
                    #expect(try await grpc.health.check(Grpc_Health_V1_HealthCheckRequest()).status == .serving)
                }
            }
        }

        /// An upload whose deadline passes half-way is cancelled on the server and leaves no partial file behind.
        @Test func anUploadCutOffByItsDeadlineLeavesNothing() async throws {
            try await Stack.withMigrated { stack, _ in
                try await stack.withAPIAndGRPC { _, grpc in
                    let id = try await grpc.calls.createCall(GRPCTestClient.newCall()).call.id
                    var options = CallOptions.defaults
                    options.timeout = .milliseconds(500)
                    await expectRPCError(.deadlineExceeded) {
                        _ = try await grpc.calls.uploadRecording(metadata: [:], options: options) { writer in
                            var header = Calls_V1_UploadRecordingRequest()
                            header.header.callID = id
                            try await writer.write(header)
                            var chunk = Calls_V1_UploadRecordingRequest()
                            chunk.chunk = CallFlowTests.dialogue()
                            try await writer.write(chunk)
                            try await Task.sleep(for: .seconds(5))
                        }
                    }
                    let incoming = stack.recordings.path + "/.incoming"
                    let cleaned = try await waitUntil(within: 10) {
                        ((try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? []).isEmpty
                    }
                    #expect(cleaned, "\((try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? [])")
                    #expect(try await grpc.get(id).hasRecording == false)
                }
            }
        }

        /// A watch whose deadline passed gives its place back on the server: with one watcher allowed per call,
        /// the next watch is admitted (and times out in turn) instead of being refused as over the limit.
        @Test func aDeadlineEndsTheWatchOnTheServerToo() async throws {
            try await Stack.withMigrated { plain, _ in
                var stack = plain
                stack.api.maxWatchersPerCall = 1
                try await stack.withAPIAndGRPC { _, grpc in
                    let id = try await grpc.calls.createCall(GRPCTestClient.newCall()).call.id
                    var watch = Calls_V1_WatchCallRequest()
                    watch.id = id
                    var options = CallOptions.defaults
                    options.timeout = .milliseconds(500)
                    for _ in 0..<3 {
                        var refusedAsFull = 0
                        while true {
                            do {
                                try await grpc.calls.watchCall(watch, options: options) { response in
                                    for try await call in response.messages { #expect(call.status == .created) }
                                }
                                Issue.record("the watch of a call that never changes ended without an error")
                                return
                            } catch let error as RPCError where error.code == .resourceExhausted {
                                // The server may notice the deadline a moment after the client did.
                                refusedAsFull += 1
                                #expect(refusedAsFull < 20, "the server kept the timed-out watch: \(error)")
                                if refusedAsFull >= 20 { return }
                                try await Task.sleep(for: .milliseconds(100))
                            } catch let error as RPCError {
                                #expect(error.code == .deadlineExceeded, "\(error)")
                                break
                            }
                        }
                    }
                }
            }
        }
    }
}
