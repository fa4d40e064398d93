import AudioAnalysis
import CallsCore
import CallsStore
@testable import CallsWorker
import Foundation
import JobQueue
import NIOPosix
import PostgresNIO
import RecordingStorage
import Synchronization
import TestSupport
import Testing

/// Archive leases whose every claim is superseded by another worker the moment it is granted, as when a
/// worker pauses right after claiming and its lease runs out.
struct SupersededArchiveLeases: ArchiveLeases {
    let base: PostgresArchiveLeases
    let supersede: @Sendable (ArchiveClaim) async throws -> Void
    var removingOriginals: Bool { base.removingOriginals }

    func claim(callID: UUID, worker: String, leaseSeconds: Int) async throws -> ClaimResult<ArchiveClaim> {
        let outcome = try await base.claim(callID: callID, worker: worker, leaseSeconds: leaseSeconds)
        if case .claimed(let claim) = outcome { try await supersede(claim) }
        return outcome
    }

    func renew(_ claim: ArchiveClaim, leaseSeconds: Int) async throws -> Bool { try await base.renew(claim, leaseSeconds: leaseSeconds) }
    func complete(_ claim: ArchiveClaim, with file: ArchivedFile) async throws -> WorkCommit {
        try await base.complete(claim, with: file)
    }
    func fail(_ claim: ArchiveClaim, reason: String) async throws -> FollowUps? { try await base.fail(claim, reason: reason) }
    func release(_ claim: ArchiveClaim, reason: String) async throws -> Bool { try await base.release(claim, reason: reason) }
    func releaseHeld(callID: UUID, worker: String) async throws -> Bool { try await base.releaseHeld(callID: callID, worker: worker) }
    func failUnclaimed(callID: UUID, reason: String) async throws -> Bool { try await base.failUnclaimed(callID: callID, reason: reason) }
    func resetForRetry(callID: UUID) async throws -> Bool { try await base.resetForRetry(callID: callID) }
}

extension IntegrationSuite {
    @Suite struct ArchiveFencingTests {
        /// Storage knows no fencing token, so the worker checks its lease before it writes: a superseded one
        /// leaves the newer claim's object alone instead of removing and re-publishing it.
        @Test func aSupersededArchiveClaimNeverTouchesTheStoredArchive() async throws {
            try await Stack.withMigrated { plainStack, url in
                var withoutArchive = plainStack
                withoutArchive.worker.archive.enabled = false
                let stack = withoutArchive
                let id = try await Self.analysedCall(stack)
                let callID = try #require(UUID(uuidString: id))
                let pool = NIOThreadPool(numberOfThreads: 1)
                pool.start()
                try await TestServices.withPostgres(url) { postgres in
                    _ = try await postgres.query(
                        "INSERT INTO recording_archives (recording_id, call_id) SELECT id, call_id FROM recordings",
                        logger: TestServices.logger
                    ).collect()
                    let base = PostgresArchiveLeases(
                        client: postgres, logger: TestServices.logger, removingOriginals: !stack.worker.archive.keepOriginal)
                    let newerObject = Data("the newer claim's archive".utf8)
                    let archives = SupersededArchiveLeases(base: base) { claim in
                        _ = try await postgres.query(
                            "UPDATE recording_archives SET lease_expires_at = now() - interval '1 second'",
                            logger: TestServices.logger
                        ).collect()
                        guard case .claimed = try await base.claim(callID: claim.callID, worker: "newer", leaseSeconds: 30) else {
                            throw SetupError("the newer worker could not claim the archive")
                        }
                        try newerObject.write(to: URL(fileURLWithPath: stack.recordings.path + "/" + claim.archiveKey))
                    }
                    let handler = ArchiveJobHandler(
                        archives: archives, store: try LocalRecordingStore(root: stack.recordings.path, ioPool: pool),
                        settings: stack.worker.archive, worker: "older", leaseSeconds: 30, maxAttempts: 3,
                        encodingPool: pool, logger: TestServices.logger)

                    #expect(try await handler.handle(Job(kind: .archive, callID: callID)) == .fenced)
                    let rows = try await postgres.query(
                        "SELECT a.status, a.lease_owner, r.storage_key FROM recording_archives a JOIN recordings r ON r.id = a.recording_id",
                        logger: TestServices.logger
                    ).decode((String, String?, String).self).collectAll()
                    let row = try #require(rows.first)
                    #expect(row.0 == "archiving" && row.1 == "newer")
                    let archiveKey = ArchiveClaim(callID: callID, recordingID: UUID(), leaseToken: 0, originalKey: row.2, attempts: 0)
                        .archiveKey
                    #expect(try Data(contentsOf: URL(fileURLWithPath: stack.recordings.path + "/" + archiveKey)) == newerObject)
                    #expect(FileManager.default.fileExists(atPath: stack.recordings.path + "/" + row.2), "the original stays")
                }
                try await pool.shutdownGracefully()
            }
        }

        /// A call analysed by a worker that does not archive.
        static func analysedCall(_ stack: Stack) async throws -> String {
            let box = Box()
            try await stack.withAPI { client in
                let id = try await client.createCall()
                #expect(
                    try await streamUpload(
                        port: client.port!, callID: id, body: CallFlowTests.multipart(ArchiveTests.stereoDialogue()),
                        chunkSize: 65_536
                    ).0 == 202)
                try await stack.withWorker { () async throws -> Void in
                    #expect(try await client.waitForFinalStatus(id).status == .ready)
                }
                box.id.withLock { $0 = id }
            }
            return try #require(box.id.withLock { $0 })
        }

        final class Box: Sendable {
            let id = Mutex<String?>(nil)
        }
    }
}
