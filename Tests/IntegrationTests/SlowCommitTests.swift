@testable import CallsAPI
import CallsCore
import CallsStore
import Foundation
import Logging
import NIOPosix
import PostgresNIO
import RecordingStorage
import TestSupport
import Testing

extension IntegrationSuite {
    /// The upload's commit held up by a lock until the API has answered 503: whichever way the statement
    /// ends, no recording is lost and no row points at nothing.
    @Suite struct SlowCommitTests {
        /// Holds `LOCK TABLE outbox` in a transaction of its own from before `body` until after it.
        static func withOutboxLocked<T: Sendable>(_ url: DatabaseURL, _ body: @Sendable () async throws -> T) async throws -> T {
            try await TestServices.withPostgres(url) { locker in
                let (locked, lockedSignal) = AsyncStream.makeStream(of: Void.self)
                let (release, releaseSignal) = AsyncStream.makeStream(of: Void.self)
                return try await withThrowingTaskGroup(of: T?.self) { group in
                    group.addTask {
                        try await locker.withTransaction(logger: TestServices.logger) { connection in
                            _ = try await connection.query("LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE", logger: TestServices.logger)
                            lockedSignal.yield()
                            for await _ in release { break }
                        }
                        return nil
                    }
                    for await _ in locked { break }
                    let result: T
                    do {
                        result = try await body()
                    } catch {
                        releaseSignal.yield()
                        throw error
                    }
                    releaseSignal.yield()
                    try await group.waitForAll()
                    return result
                }
            }
        }

        static func recordingRows(_ url: DatabaseURL) async throws -> Int {
            try await TestServices.withPostgres(url) { client in
                try await client.query("SELECT count(*) FROM recordings", logger: TestServices.logger).decode(Int.self).collectAll()[0]
            }
        }

        static func janitor(
            _ stack: Stack, _ url: DatabaseURL, _ body: @Sendable (UploadJanitor<PostgresCallRepository>) async throws -> Void
        ) async throws {
            try await TestServices.withPostgres(url) { client in
                let storage = try LocalRecordingStore(root: stack.recordings.path, ioPool: .singleton)
                try await body(
                    UploadJanitor(
                        ledger: PostgresCallRepository(client: client, logger: TestServices.logger), store: storage,
                        logger: TestServices.logger,
                        grace: .zero))
            }
        }

        /// The server cancels the statement at its timeout (2 s here, before the API's own 5 s deadline, so the
        /// statement is certainly over when the lock goes): 503, no row, and the file goes once the janitor sweeps.
        @Test func aCommitCancelledByTheServerLeavesNoRowAndTheJanitorRemovesTheFile() async throws {
            try await Stack.withMigrated { plainStack, url in
                var quick = plainStack
                quick.api.database.statementTimeoutMilliseconds = 2000
                let stack = quick
                try await stack.withAPI { client in
                    let id = try await client.createCall()
                    let body = CallFlowTests.multipart(CallFlowTests.dialogue())
                    let (status, code) = try await Self.withOutboxLocked(url) {
                        let (status, problem) = try await streamUpload(port: client.port!, callID: id, body: body, chunkSize: 65_536)
                        return (status, problem.problem?.code)
                    }
                    #expect(status == 503)
                    #expect(code == "database_unavailable")
                    #expect(try await Self.recordingRows(url) == 0)
                    #expect(stack.recordings.files().count == 1, "the file stays while the outcome is unknown")
                    try await Self.janitor(stack, url) { janitor in
                        let removed = try await janitor.sweep()
                        #expect(removed == 1)
                    }
                    #expect(stack.recordings.files().isEmpty)

                    let (retry, retryProblem) = try await streamUpload(port: client.port!, callID: id, body: body, chunkSize: 65_536)
                    #expect(retry == 202, "\(retryProblem)")
                    try await stack.withWorker {
                        let call = try await client.waitForFinalStatus(id, seconds: 60)
                        #expect(call.status == .ready, "\(call)")
                    }
                }
            }
        }

        /// The statement outlives the API's deadline (503). Its transaction then either commits once the lock
        /// goes (the operation behind the deadline runs on) or is rolled back (it was cancelled first): both
        /// happen. Whichever it was, nothing is lost and no row points at nothing: a committed row keeps its file
        /// and the call becomes ready (a second upload is a conflict); a rolled-back one leaves a file the
        /// janitor removes, and the retried upload makes the call ready. (Before the upload ledger, the 503 path
        /// deleted the file of a commit that then happened.)
        @Test func aStatementOutlivingTheDeadlineEndsEitherWayWithoutLoss() async throws {
            try await Stack.withMigrated { plainStack, url in
                var slow = plainStack
                slow.api.database.statementTimeoutMilliseconds = 30_000
                let stack = slow
                try await stack.withAPI { client in
                    let id = try await client.createCall()
                    let body = CallFlowTests.multipart(CallFlowTests.dialogue())
                    let status = try await Self.withOutboxLocked(url) {
                        try await streamUpload(port: client.port!, callID: id, body: body, chunkSize: 65_536).0
                    }
                    #expect(status == 503)
                    // The lock is gone: the held statement finishes and its transaction ends, one way or the other.
                    #expect(try await waitUntil(within: 10) { try await Self.openTransactions(url) == 0 })
                    let committed = try await Self.recordingRows(url) == 1
                    try await Self.janitor(stack, url) { janitor in
                        let removed = try await janitor.sweep()
                        #expect(removed == (committed ? 0 : 1), "committed: \(committed)")
                    }
                    #expect(stack.recordings.files().count == (committed ? 1 : 0), "committed: \(committed)")
                    if !committed {
                        let (retry, problem) = try await streamUpload(port: client.port!, callID: id, body: body, chunkSize: 65_536)
                        #expect(retry == 202, "\(problem)")
                    }
                    try await stack.withWorker {
                        let call = try await client.waitForFinalStatus(id, seconds: 60)
                        #expect(call.status == .ready, "\(call)")
                    }
                    let (again, problem) = try await streamUpload(port: client.port!, callID: id, body: body, chunkSize: 65_536)
                    #expect(again == 409 && problem.problem?.code == "recording_already_exists")
                }
            }
        }

        /// Other sessions of the database inside a transaction or running a statement.
        static func openTransactions(_ url: DatabaseURL) async throws -> Int {
            try await TestServices.withPostgres(url) { client in
                try await client.query(
                    """
                    SELECT count(*) FROM pg_stat_activity
                    WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()
                      AND (state <> 'idle' OR xact_start IS NOT NULL)
                    """, logger: TestServices.logger
                ).decode(Int.self).collectAll()[0]
            }
        }

        /// A ledger entry whose key a recording row references (its commit outlived the grace) is settled, and
        /// the janitor leaves the file alone.
        @Test func theJanitorNeverRemovesAFileARowReferences() async throws {
            try await Stack.withMigrated { stack, url in
                try await stack.withAPI { client in
                    _ = try await client.uploadedCall()
                    try await TestServices.withPostgres(url) { postgres in
                        _ = try await postgres.query(
                            "INSERT INTO upload_ledger (storage_key) SELECT storage_key FROM recordings", logger: TestServices.logger)
                    }
                    try await Self.janitor(stack, url) { janitor in
                        let removed = try await janitor.sweep()
                        #expect(removed == 0)
                    }
                    #expect(stack.recordings.files().count == 1)
                    let left = try await TestServices.withPostgres(url) { postgres in
                        try await postgres.query("SELECT count(*) FROM upload_ledger", logger: TestServices.logger).decode(Int.self)
                            .collectAll()
                    }
                    #expect(left == [0])
                }
            }
        }
    }
}
