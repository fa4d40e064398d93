@testable import CallsAPI
import CallsCore
import Crypto
import Foundation
import Logging
import HTTPTypes
import HummingbirdTesting
import CallsStore
import JobQueue
import NIOCore
import TestSupport
import Testing

@Suite struct RecordingUploadTests {
    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    @Test func acceptsAWAVAndQueuesItsJob() async throws {
        try await RouteHarness.run { harness, client in
            let id = try await client.createCall()
            let wav = Fixtures.wav()
            let body = Fixtures.multipart(wav, filename: "../../etc/Agent 7.wav")
            let (status, answer) = try await client.upload(body.finished(), contentType: body.contentType, to: id)
            #expect(status == .accepted)
            let accepted = try answer.decode(UploadReceipt.self)
            #expect(accepted.callId.lowercasedString == id)
            #expect(accepted.format == .wav)
            #expect(accepted.filename == "Agent 7.wav")
            #expect(accepted.sizeBytes == Int64(wav.count))
            #expect(accepted.sha256 == Self.sha256(wav))
            #expect(accepted.sampleRate == 8000)
            #expect(accepted.status == .processing)

            let key = try #require(harness.calls.storageKey(ofCall: UUID(uuidString: id)!))
            #expect(key.hasSuffix(".wav") && !key.contains("Agent"))
            #expect(harness.storedFiles == [key])
            #expect(try Data(contentsOf: URL(fileURLWithPath: harness.store.localPath(forKey: key))) == wav)
            #expect(harness.queue.jobs == [Job(kind: .analyze, callID: UUID(uuidString: id)!)])
            #expect(harness.calls.pendingOutbox.count == 1, "removed with the next batch")
            await harness.outboxAcknowledger.flush()
            #expect(harness.calls.pendingOutbox.isEmpty)

            let (_, stored) = try await client.json(.get, "/calls/\(id)")
            let call = try stored.decode(Call.self)
            #expect(call.status == .processing)
            let recording = try #require(call.recording)
            #expect(recording.id == accepted.recordingId)
            #expect(recording.durationSec == nil)
            #expect(stored.description.contains(#""duration_sec":null"#), "present as null until analysed")
        }
    }

    @Test func aSecondUploadLeavesTheStoredFileUntouched() async throws {
        try await RouteHarness.run { harness, client in
            let id = try await client.createCall()
            let original = Fixtures.wav(seconds: 2)
            let first = Fixtures.multipart(original)
            #expect(try await client.upload(first.finished(), contentType: first.contentType, to: id).0 == .accepted)
            let storedBefore = harness.storedFiles

            let second = Fixtures.multipart(Fixtures.wav(seconds: 3), filename: "other.wav")
            let (status, problem) = try await client.upload(second.finished(), contentType: second.contentType, to: id)
            #expect(status == .conflict)
            #expect(problem.problem?.code == "recording_already_exists")
            #expect(harness.storedFiles == storedBefore)
            let path = try harness.store.localPath(forKey: try #require(storedBefore.first))
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == original)
            #expect(harness.queue.jobs.count == 1)
        }
    }

    @Test func anUnknownCallIsRefusedBeforeAnythingIsWritten() async throws {
        try await RouteHarness.run { harness, client in
            let body = Fixtures.multipart(Fixtures.wav())
            let (status, problem) = try await client.upload(body.finished(), contentType: body.contentType, to: UUID().uuidString)
            #expect(status == .notFound)
            #expect(problem.problem?.code == "call_not_found")
            #expect(harness.storedFiles.isEmpty)
            #expect(harness.calls.unsettledUploads.isEmpty)
        }
    }

    @Test func anOversizedUploadIsRefusedAndRemoved() async throws {
        try await RouteHarness.run(maxUploadBytes: 20_000) { harness, client in
            let id = try await client.createCall()
            let body = Fixtures.multipart(Fixtures.wav(seconds: 3))
            let (status, problem) = try await client.upload(body.finished(), contentType: body.contentType, to: id)
            #expect(status == .contentTooLarge)
            #expect(problem.problem?.code == "payload_too_large")
            #expect(harness.storedFiles.isEmpty)
            #expect(harness.queue.jobs.isEmpty)
            #expect(try await client.call(id).status == .created)
        }
    }

    @Test func aFileThatIsNotAudioIsRefusedByContent() async throws {
        try await RouteHarness.run { harness, client in
            let id = try await client.createCall()
            let body = Fixtures.multipart(Data(String(repeating: "just some text\n", count: 500).utf8), filename: "x.wav")
            let (status, problem) = try await client.upload(body.finished(), contentType: body.contentType, to: id)
            #expect(status == .unprocessableContent)
            #expect(problem.problem?.code == "unsupported_media")
            #expect(harness.storedFiles.isEmpty)
            #expect(harness.queue.jobs.isEmpty)
        }
    }

    @Test func theFileFieldIsRequired() async throws {
        try await RouteHarness.run { harness, client in
            let id = try await client.createCall()
            var body = MultipartBody()
            body.addFile(name: "upload", filename: "a.wav", content: Fixtures.wav())
            let (status, problem) = try await client.upload(body.finished(), contentType: body.contentType, to: id)
            #expect(status == .unprocessableContent)
            #expect(problem.problem?.code == "validation_failed")
            #expect(harness.storedFiles.isEmpty)
        }
    }

    @Test func aTruncatedBodyIsMalformed() async throws {
        try await RouteHarness.run { harness, client in
            let id = try await client.createCall()
            let body = Fixtures.multipart(Fixtures.wav())
            let (status, problem) = try await client.upload(body.data, contentType: body.contentType, to: id)
            #expect(status == .badRequest)
            #expect(problem.problem?.code == "invalid_multipart")
            #expect(harness.storedFiles.isEmpty)
        }
    }

    @Test func twoFileFieldsAreMalformed() async throws {
        try await RouteHarness.run { harness, client in
            let id = try await client.createCall()
            var body = Fixtures.multipart(Fixtures.wav())
            body.addFile(filename: "b.wav", content: Fixtures.wav())
            let (status, problem) = try await client.upload(body.finished(), contentType: body.contentType, to: id)
            #expect(status == .badRequest)
            #expect(problem.problem?.code == "invalid_multipart")
            #expect(harness.storedFiles.isEmpty)
        }
    }

    @Test(arguments: ["application/octet-stream", "multipart/form-data", "multipart/mixed; boundary=x"])
    func onlyMultipartFormDataIsAccepted(contentType: String) async throws {
        try await RouteHarness.run { harness, client in
            let id = try await client.createCall()
            let (status, problem) = try await client.upload(Fixtures.wav(), contentType: contentType, to: id)
            #expect(status == .unsupportedMediaType)
            #expect(problem.problem?.code == "multipart_required")
            #expect(harness.storedFiles.isEmpty)
        }
    }

    @Test func anUploadWhileRedisIsDownIsQueuedByTheRelay() async throws {
        try await RouteHarness.run { harness, client in
            harness.queue.setFailing(true)
            let id = try await client.createCall()
            let body = Fixtures.multipart(Fixtures.wav())
            #expect(try await client.upload(body.finished(), contentType: body.contentType, to: id).0 == .accepted)
            #expect(harness.queue.jobs.isEmpty)
            #expect(harness.calls.pendingOutbox == ["analyze:\(id)"])

            var relay = OutboxRelay(outbox: harness.calls, queue: harness.queue, logger: .init(label: "test"))
            relay.minimumAge = .zero  // the entry is fresh; the relay leaves those to their request by default
            await #expect(throws: (any Error).self) { try await relay.relayOnce() }
            #expect(harness.calls.pendingOutbox.count == 1)
            harness.queue.setFailing(false)
            #expect(try await relay.relayOnce() == 1)
            #expect(harness.queue.jobs.map(\.payload) == ["analyze:\(id)"])
            #expect(harness.calls.pendingOutbox.isEmpty)
        }
    }
}

/// Failures after the file was already published must take the file away again.
@Suite struct UploadRollbackTests {
    struct DatabaseWentAway: Error {}

    @Test func losingTheRaceForTheRecordingRemovesTheNewFile() async throws {
        try await RouteHarness.run { harness, client in
            let id = try await client.createCall()
            harness.calls.failAttachments(with: AttachRecordingError.recordingExists)
            let body = Fixtures.multipart(Fixtures.wav())
            let (status, problem) = try await client.upload(body.finished(), contentType: body.contentType, to: id)
            #expect(status == .conflict)
            #expect(problem.problem?.code == "recording_already_exists")
            #expect(harness.storedFiles.isEmpty)
            #expect(harness.calls.unsettledUploads.isEmpty)
            #expect(harness.queue.jobs.isEmpty)
        }
    }

    @Test func aCallDeletedDuringTheUploadIsNotFoundAndLeavesNothing() async throws {
        try await RouteHarness.run { harness, client in
            let id = try await client.createCall()
            harness.calls.failAttachments(with: AttachRecordingError.callNotFound)
            let body = Fixtures.multipart(Fixtures.wav())
            let (status, problem) = try await client.upload(body.finished(), contentType: body.contentType, to: id)
            #expect(status == .notFound)
            #expect(problem.problem?.code == "call_not_found")
            #expect(harness.storedFiles.isEmpty)
            #expect(harness.calls.unsettledUploads.isEmpty)
        }
    }

    /// A commit that failed for an unknown reason may still have happened: the file stays (a call pointing at
    /// nothing would be worse) until the janitor settles it, and the answer leaks no detail.
    @Test func aDatabaseFailureKeepsTheFileForTheJanitorAndLeaksNoDetail() async throws {
        try await RouteHarness.run { harness, client in
            let id = try await client.createCall()
            harness.calls.failAttachments(with: DatabaseWentAway())
            let body = Fixtures.multipart(Fixtures.wav())
            let (status, problem) = try await client.upload(body.finished(), contentType: body.contentType, to: id)
            #expect(status == .internalServerError)
            #expect(problem.problem?.code == "internal_error")
            #expect(problem.problem?.detail.contains("DatabaseWentAway") == false)
            #expect(harness.storedFiles.count == 1)
            #expect(harness.calls.unsettledUploads.count == 1)

            let janitor = UploadJanitor(ledger: harness.calls, store: harness.store, logger: Logger(label: "test"), grace: .zero)
            #expect(try await janitor.sweep() == 1)
            #expect(harness.storedFiles.isEmpty)
            #expect(harness.calls.unsettledUploads.isEmpty)
        }
    }

    @Test func anAttachedUploadLeavesNothingForTheJanitor() async throws {
        try await RouteHarness.run { harness, client in
            let id = try await client.createCall()
            let body = Fixtures.multipart(Fixtures.wav())
            let (status, _) = try await client.upload(body.finished(), contentType: body.contentType, to: id)
            #expect(status == .accepted)
            #expect(harness.calls.unsettledUploads.isEmpty)
            let janitor = UploadJanitor(ledger: harness.calls, store: harness.store, logger: Logger(label: "test"), grace: .zero)
            #expect(try await janitor.sweep() == 0)
            #expect(harness.storedFiles.count == 1)
        }
    }

    @Test func unwritableStorageIsA503AndTheCallStaysUploadable() async throws {
        try await RouteHarness.run { harness, client in
            let id = try await client.createCall()
            // Where the temporary files go is now a plain file: every create fails, as on a lost mount.
            let incoming = harness.directory.path + "/.incoming"
            try FileManager.default.removeItem(atPath: incoming)
            FileManager.default.createFile(atPath: incoming, contents: Data())
            let body = Fixtures.multipart(Fixtures.wav())
            let (status, problem) = try await client.upload(body.finished(), contentType: body.contentType, to: id)
            #expect(status == .serviceUnavailable)
            #expect(problem.problem?.code == "storage_unavailable")
            #expect(harness.storedFiles == [".incoming"])
            #expect(harness.queue.jobs.isEmpty)

            try FileManager.default.removeItem(atPath: incoming)
            try FileManager.default.createDirectory(atPath: incoming, withIntermediateDirectories: false)
            #expect(try await client.upload(body.finished(), contentType: body.contentType, to: id).0 == .accepted)
        }
    }

    @Test func aDeclaredLengthOverTheLimitIsRefusedBeforeReading() async throws {
        try await RouteHarness.run(maxUploadBytes: 1000) { harness, client in
            let id = try await client.createCall()
            let body = Fixtures.multipart(Fixtures.wav(seconds: 0.5))
            try await client.execute(
                uri: "/calls/\(id)/recording", method: .post,
                headers: [.contentType: body.contentType, .contentLength: "5000000000"],
                body: ByteBuffer(bytes: body.finished())
            ) { response in
                #expect(response.status == .contentTooLarge)
            }
            #expect(harness.storedFiles.isEmpty)
        }
    }
}
