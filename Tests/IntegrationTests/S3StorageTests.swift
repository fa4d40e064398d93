import AsyncHTTPClient
import CallsCore
import Foundation
import NIOCore
import S3Client
import TestSupport
import Testing

extension IntegrationSuite {
    /// The whole flow with recordings in a bucket (moto, started by `make test`): the API and the worker share
    /// nothing but PostgreSQL, Redis and the bucket.
    @Suite(.enabled(if: TestBucket.mustRun, "needs CALLS_TEST_S3_ENDPOINT (make test)"))
    struct S3StorageTests {
        @Test func aWorkerOnAnotherMachineAnalysesARecordingUploadedThroughTheBucket() async throws {
            let testBucket = try await TestBucket.make()
            let (settings, bucketClient) = (testBucket.settings, testBucket.client)
            let (host, port, bucket) = (settings.host, settings.port!, settings.bucket)

            try await Stack.withMigrated { plainStack, url in
                var configured = plainStack
                configured.recordingStorage.storage = .s3(settings)
                let stack = configured
                let otherMachine = try TemporaryDirectory()
                defer { otherMachine.remove() }
                let worker = try SpawnedWorker(
                    stack: stack, logDirectory: otherMachine.path,
                    // The original stays next to its archive, so this test can fetch it back.
                    settings: testBucket.environment.merging(["CALLS_RECORDINGS_DIR": "scratch", "CALLS_KEEP_ORIGINAL": "true"]) { $1 },
                    workingDirectory: otherMachine.path)
                try await stoppingAfterwards(
                    worker.process,
                    { _ in
                        try await stack.withAPI { client in
                            let id = try await client.createCall()
                            let audio = CallFlowTests.dialogue()
                            let (status, accepted) = try await streamUpload(
                                port: client.port!, callID: id, body: CallFlowTests.multipart(audio), chunkSize: 65_536)
                            #expect(status == 202, "\(accepted)")
                            let ready = try await client.waitForFinalStatus(id)
                            #expect(ready.status == .ready, "\(ready)\n\(worker.log)")
                            let recording = try #require(ready.recording)
                            #expect(recording.durationSec == 5.6)

                            let key = try await TestServices.withPostgres(url) { postgres in
                                try await postgres.query(
                                    "SELECT storage_key FROM recordings WHERE call_id = \(UUID(uuidString: id)!)",
                                    logger: TestServices.logger
                                ).decode(String.self).collectAll()
                            }
                            let storageKey = try #require(key.first)
                            let stored = try #require(try await bucketClient.headObject(key: storageKey))
                            #expect(stored.size == Int64(audio.count))

                            // The worker on the other machine archived it too, into the bucket.
                            let archived = try await client.waitForArchive(id)
                            let archive = try #require(archived.recording?.archive, "\(archived)\n\(worker.log)")
                            #expect(archive.status == .done, "\(archived)\n\(worker.log)")
                            let archiveKey = storageKey.dropLast(4) + ".archive.mp3"
                            let archiveSize = try #require(archive.sizeBytes)
                            #expect(try await bucketClient.headObject(key: String(archiveKey))?.size == archiveSize)

                            // The download link is a presigned bucket URL: the bytes come from the bucket, not the API.
                            let (linkStatus, link) = try await client.json(
                                .get, "/calls/\(id)/download?format=original", as: DownloadLinkDocument.self)
                            #expect(linkStatus == .ok)
                            let url = link.url
                            #expect(url.hasPrefix("http://\(host):\(port)/\(bucket)/") && url.contains("X-Amz-Signature="))
                            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
                            #expect(response.status == .ok)
                            #expect(try await response.body.collect(upTo: 1 << 20) == ByteBuffer(bytes: audio))
                        }
                    }, stop: { await $0.stop() })
                // Nothing of the recording stays on either machine: only the bucket has it.
                #expect(stack.recordings.files().isEmpty, "\(stack.recordings.files())")
                #expect(otherMachine.files().filter { $0.hasPrefix("scratch/") }.isEmpty, "\(otherMachine.files())")
            }
        }
    }
}
