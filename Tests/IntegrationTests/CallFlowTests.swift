import CallsCore
import CallsStore
import Foundation
import JobQueue
import PostgresNIO
import TestSupport
import Testing

extension IntegrationSuite {
    @Suite struct CallFlowTests {
        static func dialogue() -> Data {
            var audio = SyntheticAudio(noiseAmplitude: 0.003)
            let samples = audio.channel([.tone(seconds: 1.2), .noise(seconds: 1.8), .tone(seconds: 2.0), .noise(seconds: 0.6)])
            return WAVFile.pcm16(samples, channels: 1, sampleRate: 8000)
        }

        static func multipart(_ content: Data, filename: String = "dialogue.wav") -> MultipartBody {
            var body = MultipartBody()
            body.addFile(filename: filename, content: content)
            return body
        }

        @Test(arguments: [333, 1 << 20])
        func anUploadIsAnalysedUntilReady(chunkSize: Int) async throws {
            try await Stack.withMigrated { stack, url in
                try await stack.withWorker { () async throws -> Void in
                    try await stack.withAPI { client in
                        let id = try await client.createCall()
                        let port = try #require(client.port)
                        let (status, accepted) = try await streamUpload(
                            port: port, callID: id, body: Self.multipart(Self.dialogue()), chunkSize: chunkSize)
                        #expect(status == 202, "\(accepted)")

                        let call = try await client.waitForFinalStatus(id)
                        #expect(call.status == .ready, "\(call)")
                        let recording = try #require(call.recording)
                        #expect(recording.durationSec == 5.6)
                        let marks = try #require(recording.silenceMarks)
                        #expect(marks.count == 2)
                        if let gap = marks.first {
                            #expect(abs(gap.startMs.seconds - 1.2) <= 0.06 && abs(gap.endMs.seconds - 3.0) <= 0.06, "\(marks)")
                        }
                        #expect(recording.transcription?.contains("silence 1.8 s") == true)
                        let analysis = try #require(recording.analysis)
                        #expect(analysis.timeline.count == 2)
                    }
                }
            }
        }

        @Test func aCorruptRecordingFailsTheCallWithAReasonAndTheWorkerGoesOn() async throws {
            try await Stack.withMigrated { stack, url in
                // A file that passed no probe: written straight into storage, as if it were damaged there.
                let callID = try await TestServices.withPostgres(url) { client in
                    let calls = PostgresCallRepository(client: client, logger: TestServices.logger)
                    let call = try await calls.create(
                        try NewCallRequest(caller: "+100", receiver: "+200", startedAt: "2026-11-21T09:00:00Z").validated())
                    let key = "2026/11/21/\(UUID().lowercasedString).wav"
                    let path = stack.recordings.path + "/" + key
                    try FileManager.default.createDirectory(
                        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try Data(repeating: 0x42, count: 10_000).write(to: URL(fileURLWithPath: path))
                    _ = try await calls.attachRecording(
                        NewRecording(
                            id: UUID(), filename: "broken.wav", storageKey: key, format: .wav, sizeBytes: 10_000,
                            sha256: String(repeating: "0", count: 64), sampleRate: 8000, channels: 1),
                        toCall: call.id, jobPayload: Job(kind: .analyze, callID: call.id).payload)
                    return call.id
                }
                let queue = RedisJobQueue(client: RedisClient(url: stack.api.queue.redis), keys: QueueKeys(name: stack.api.queue.name))
                try await queue.enqueue(Job(kind: .analyze, callID: callID))

                try await stack.withWorker { () async throws -> Void in
                    try await stack.withAPI { client in
                        let failed = try await client.waitForFinalStatus(callID.lowercasedString)
                        #expect(failed.status == .failed)
                        #expect(failed.error?.contains("not a readable audio file") == true, "\(failed)")
                        let payload = Job(kind: .analyze, callID: callID).payload
                        #expect(try await waitUntil(within: 5) { try await queue.deadPayloads() == [payload] })
                        #expect(try await queue.lastError(of: payload)?.contains("not a readable audio file") == true)

                        let id = try await client.createCall()
                        let body = Self.multipart(Self.dialogue())
                        #expect(try await streamUpload(port: client.port!, callID: id, body: body, chunkSize: 65_536).0 == 202)
                        #expect(try await client.waitForFinalStatus(id).status == .ready)
                    }
                }
                let attempts = try await TestServices.withPostgres(url) { client in
                    try await client.query("SELECT attempts FROM calls WHERE id = \(callID)", logger: TestServices.logger)
                        .decode(Int.self).collectAll()
                }
                #expect(attempts == [stack.worker.maxAttempts], "each attempt is an analysis, retried with backoff")
            }
        }

        @Test func repeatedDeliveriesOfOneJobHaveOneEffect() async throws {
            try await Stack.withMigrated { stack, url in
                let (redis, queue) = stack.makeQueue()
                try await stack.withAPI { client in
                    let id = try await client.createCall()
                    #expect(
                        try await streamUpload(port: client.port!, callID: id, body: Self.multipart(Self.dialogue()), chunkSize: 8192).0
                            == 202)
                    let job = Job(kind: .analyze, callID: UUID(uuidString: id)!)
                    try await queue.enqueue(job)
                    try await queue.enqueue(job)
                    #expect(try await queue.readyCount() == 3)
                    try await stack.withWorker { () async throws -> Void in
                        #expect(try await client.waitForFinalStatus(id).status == .ready)
                        #expect(try await waitUntil(within: 10) { try await queue.readyCount() == 0 })
                    }
                }
                let attempts = try await TestServices.withPostgres(url) { client in
                    try await client.query("SELECT attempts FROM calls", logger: TestServices.logger).decode(Int.self).collectAll()
                }
                #expect(attempts == [1], "three deliveries must claim the call once")
                await redis.shutdown()
            }
        }

        @Test func searchFindsCallsByEitherPartyInPostgres() async throws {
            try await Stack.withMigrated { stack, url in
                try await stack.withAPI { client in
                    let first = try await client.createCall(caller: "+7 (900) 111-22-33", receiver: "+1 555 0100")
                    let second = try await client.createCall(caller: "+1 555 0199", receiver: "79004445566")
                    _ = try await client.createCall(caller: "+49 30 1234", receiver: "+49 30 5678")
                    for query in ["%2B7900", "7900", "900-111"] {
                        let (status, page) = try await client.json(.get, "/calls?query=\(query)", as: CallListPage.self)
                        #expect(status == .ok)
                        let ids = Set(page.ids)
                        #expect(ids == (query == "900-111" ? [first] : [first, second]), "query \(query)")
                        #expect(page.total == ids.count)
                    }
                    let (_, page) = try await client.json(.get, "/calls?limit=2", as: CallListPage.self)
                    #expect(page.total == 3)
                    #expect(page.items.count == 2)
                }
            }
        }
    }
}

extension AsyncSequence {
    func collectAll() async throws -> [Element] {
        var elements: [Element] = []
        for try await element in self { elements.append(element) }
        return elements
    }
}
