import AsyncHTTPClient
import AudioAnalysis
import CallsCore
import HummingbirdTesting
import JobQueue
import Crypto
import Foundation
import NIOCore
import PostgresNIO
import S3Client
import TestSupport
import Testing

extension IntegrationSuite {
    /// The MP3 archive end to end: made after the analysis, stored, described on the recording, downloaded by
    /// default, and gone with the call; its failure never touches the call.
    @Suite struct ArchiveTests {
        /// Caller and receiver on their own channels, 5.6 s.
        static func stereoDialogue() -> Data {
            var audio = SyntheticAudio(noiseAmplitude: 0.003)
            let caller = audio.channel([.tone(seconds: 1.2), .noise(seconds: 4.4)])
            let receiver = audio.channel([.noise(seconds: 1.8), .tone(seconds: 2.0, frequency: 620), .noise(seconds: 1.8)])
            return WAVFile.pcm16(audio.interleave([caller, receiver]), channels: 2, sampleRate: 8000)
        }

        @Test(arguments: TestStorage.allCases)
        func anAnalysedCallIsArchivedAsMP3ThatDecodesToTheSameCall(storage: TestStorage) async throws {
            try await Stack.withMigrated(storage: storage) { stack, url, bucket in
                @Sendable func exists(_ key: String) async throws -> Bool {
                    if let bucket { return try await bucket.headObject(key: key) != nil }
                    return FileManager.default.fileExists(atPath: stack.recordings.path + "/" + key)
                }
                try await stack.withWorker { () async throws -> Void in
                    try await stack.withAPI { client in
                        let id = try await client.createCall()
                        let upload = try await streamUpload(
                            port: client.port!, callID: id, body: CallFlowTests.multipart(Self.stereoDialogue(), filename: "call 7.wav"),
                            chunkSize: 65_536)
                        #expect(upload.0 == 202)
                        let call = try await client.waitForArchive(id)
                        #expect(call.status == .ready)
                        let recording = try #require(call.recording)
                        let archive = try #require(recording.archive, "\(call)")
                        #expect(archive.status == .done)
                        #expect(archive.format == .mp3)
                        #expect(archive.bitrateMode?.rawValue == "cbr" && archive.bitrateKbps == 48)
                        #expect(archive.archivedAt != nil && archive.error == nil)
                        #expect(recording.originalAvailable == false)
                        let sha256 = try #require(archive.sha256)
                        let size = Int(try #require(archive.sizeBytes))

                        let (originalKey, archiveKey) = try await Self.keys(of: id, url: url)
                        #expect(archiveKey.hasSuffix(".archive.mp3") && archiveKey.hasPrefix(originalKey.dropLast(4)))
                        #expect(try await !exists(originalKey), "the original is removed once archived")
                        #expect(try await exists(archiveKey))

                        // The default download is the archive now; the original is no longer offered.
                        let (linkStatus, link) = try await client.json(.get, "/calls/\(id)/download", as: DownloadLinkDocument.self)
                        #expect(linkStatus == .ok && link.format == "mp3")
                        var url = link.url
                        if bucket == nil {
                            // A path relative to the API: the stack has no CALLS_PUBLIC_URL.
                            let path = try #require(url.range(of: "/recordings/")).lowerBound
                            url = "http://127.0.0.1:\(client.port!)" + url[path...]
                        }
                        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
                        #expect(response.status == .ok)
                        if bucket == nil {
                            #expect(response.headers.first(name: "Content-Type") == "audio/mpeg")
                            #expect(response.headers.first(name: "Content-Disposition")?.contains("call 7.mp3") == true)
                        }
                        let bytes = Data(buffer: try await response.body.collect(upTo: 16 << 20))
                        #expect(bytes.count == size)
                        #expect(Hex.encode(SHA256.hash(data: bytes)) == sha256)
                        let (originalStatus, problem) = try await client.json(.get, "/calls/\(id)/download?format=original")
                        #expect(originalStatus == .notFound && problem.problem?.code == "original_not_kept")

                        // It is the same call: same length within 30 ms, same channels.
                        let directory = try TemporaryDirectory()
                        defer { directory.remove() }
                        try bytes.write(to: URL(fileURLWithPath: directory.path + "/archive.mp3"))
                        var decoder = try SndfileDecoder(path: directory.path + "/archive.mp3")
                        #expect(decoder.channelCount == 2)
                        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: 8192)
                        defer { buffer.deallocate() }
                        var frames = 0
                        while case let read = try decoder.readFrames(into: buffer), read > 0 { frames += read }
                        let seconds = Double(frames) / Double(decoder.sampleRate)
                        #expect(abs(seconds - (recording.durationSec ?? 0)) <= 0.030, "\(seconds) s")

                        // Deleting the call takes the archive with it.
                        #expect(try await client.json(.delete, "/calls/\(id)").0 == .noContent)
                        let archiveLeft = try await exists(archiveKey)
                        let originalLeft = try await exists(originalKey)
                        #expect(!archiveLeft && !originalLeft)
                    }
                }
                if storage == .local {
                    #expect(stack.recordings.files().filter { !$0.hasPrefix(".") }.isEmpty, "\(stack.recordings.files())")
                }
            }
        }

        @Test func anArchiveThatCannotBeMadeLeavesTheCallReadyWithItsOriginal() async throws {
            try await Stack.withMigrated { plainStack, url in
                var configured = plainStack
                configured.worker.maxAttempts = 2
                let stack = configured
                let (redis, queue) = stack.makeQueue()
                try await stack.withWorker { () async throws -> Void in
                    try await stack.withAPI { client in
                        // Analysable (up to 16 channels), but MP3 holds two at most.
                        let id = try await client.createCall()
                        let audio = WAVFile.pcm16([Float](repeating: 0.2, count: 3 * 16000), channels: 3, sampleRate: 8000)
                        #expect(
                            try await streamUpload(
                                port: client.port!, callID: id, body: CallFlowTests.multipart(audio), chunkSize: 65_536
                            ).0 == 202)
                        let call = try await client.waitForArchive(id)
                        #expect(call.status == .ready && call.error == nil)
                        let recording = try #require(call.recording)
                        let archive = try #require(recording.archive)
                        #expect(archive.status == .failed)
                        #expect(archive.error?.contains("has 3") == true, "\(archive)")
                        #expect(recording.originalAvailable == true)

                        let (linkStatus, link) = try await client.json(.get, "/calls/\(id)/download", as: DownloadLinkDocument.self)
                        #expect(linkStatus == .ok && link.format == "original")
                        let (mp3Status, problem) = try await client.json(.get, "/calls/\(id)/download?format=mp3")
                        #expect(mp3Status == .notFound && problem.problem?.code == "archive_not_found")
                        #expect(problem.problem?.detail.contains("failed") == true)
                        let (originalKey, _) = try await Self.keys(of: id, url: url)
                        #expect(FileManager.default.fileExists(atPath: stack.recordings.path + "/" + originalKey))

                        // Reported separately: a dead archive job an operator can retry.
                        #expect(try await queue.deadPayloads() == ["archive:\(id)"])
                        let (retryStatus, retried) = try await client.json(.post, "/admin/dead/\(id)/retry")
                        #expect(retryStatus == .accepted)
                        #expect(try retried.decode([String: String].self)["job"] == "archive", "\(retried)")
                        #expect(try await waitUntil(within: 10) { try await queue.deadPayloads() == ["archive:\(id)"] })
                        let again = try await client.waitForArchive(id)
                        #expect(again.recording?.archive?.status == .failed)
                        #expect(again.status == .ready)
                    }
                }
                await redis.shutdown()
            }
        }

        @Test func aDuplicateArchiveJobChangesNothingAndKeepOriginalKeepsIt() async throws {
            try await Stack.withMigrated { plainStack, url in
                var configured = plainStack
                configured.worker.archive.keepOriginal = true
                let stack = configured
                let (redis, queue) = stack.makeQueue()
                try await stack.withWorker { () async throws -> Void in
                    try await stack.withAPI { client in
                        let id = try await client.createCall()
                        #expect(
                            try await streamUpload(
                                port: client.port!, callID: id, body: CallFlowTests.multipart(Self.stereoDialogue()),
                                chunkSize: 65_536
                            ).0 == 202)
                        let first = try await client.waitForArchive(id)
                        let recording = try #require(first.recording)
                        #expect(recording.originalAvailable == true)
                        let (originalKey, archiveKey) = try await Self.keys(of: id, url: url)
                        #expect(FileManager.default.fileExists(atPath: stack.recordings.path + "/" + originalKey))
                        let before = try Data(contentsOf: URL(fileURLWithPath: stack.recordings.path + "/" + archiveKey))

                        try await queue.enqueue(Job(kind: .archive, callID: UUID(uuidString: id)!))
                        let registry = WorkerRegistry(client: redis, keys: queue.keys)
                        #expect(
                            try await waitUntil(within: 10) {
                                let waiting = try await queue.readyCount(.archive)
                                let inFlight = try await queue.statistics(registry: registry).inFlight
                                return waiting == 0 && inFlight == 0
                            })
                        let second = try await client.call(id)
                        #expect(second == first, "\(second)")
                        #expect(try Data(contentsOf: URL(fileURLWithPath: stack.recordings.path + "/" + archiveKey)) == before)
                        #expect(FileManager.default.fileExists(atPath: stack.recordings.path + "/" + originalKey))
                        let (_, link) = try await client.json(.get, "/calls/\(id)/download?format=original", as: DownloadLinkDocument.self)
                        #expect(link.format == "original")
                    }
                }
                await redis.shutdown()
            }
        }

        /// Calls analysed while archiving was off get archived once marked due (the README's backfill): the
        /// reconciler finds archives Redis never heard of, as it finds those Redis lost.
        @Test func archivesDueInPostgreSQLButNotInRedisAreQueuedByTheReconciler() async throws {
            try await Stack.withMigrated { plainStack, url in
                var withoutArchive = plainStack
                withoutArchive.worker.archive.enabled = false
                let stack = withoutArchive
                try await stack.withAPI { client in
                    let id = try await client.createCall()
                    #expect(
                        try await streamUpload(
                            port: client.port!, callID: id, body: CallFlowTests.multipart(Self.stereoDialogue()),
                            chunkSize: 65_536
                        ).0 == 202)
                    try await stack.withWorker { () async throws -> Void in
                        let ready = try await client.waitForFinalStatus(id)
                        #expect(ready.status == .ready)
                        #expect(try #require(ready.recording).archive == nil)
                    }
                    try await TestServices.withPostgres(url) { postgres in
                        _ = try await postgres.query(
                            """
                            INSERT INTO recording_archives (recording_id, call_id)
                            SELECT r.id, r.call_id FROM recordings r JOIN calls c ON c.id = r.call_id
                            WHERE c.status = 'ready' ON CONFLICT DO NOTHING
                            """, logger: TestServices.logger
                        ).collect()
                    }
                    var archiving = stack
                    archiving.worker.archive.enabled = true
                    try await archiving.withWorker { () async throws -> Void in
                        let archived = try await client.waitForArchive(id)
                        #expect(archived.recording?.archive?.status == .done, "\(archived)")
                    }
                }
            }
        }

        static func keys(of id: String, url: DatabaseURL) async throws -> (original: String, archive: String) {
            let rows = try await TestServices.withPostgres(url) { postgres in
                try await postgres.query(
                    """
                    SELECT r.storage_key, a.storage_key FROM recordings r
                    JOIN recording_archives a ON a.recording_id = r.id WHERE r.call_id = \(UUID(uuidString: id)!)
                    """, logger: TestServices.logger
                ).decode((String, String?).self).collectAll()
            }
            let row = try #require(rows.first)
            return (row.0, row.1 ?? "")
        }
    }
}

extension TestClientProtocol {
    /// Polls the call until its analysis and its archive have both ended (the archive done or failed).
    func waitForArchive(_ id: String, seconds: Double = 30) async throws -> Call {
        try await poll(within: seconds, { try await self.call(id) }) { call in
            call.recording?.archive.map { $0.status == .done || $0.status == .failed } ?? false
        }
    }
}
