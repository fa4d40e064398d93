import AudioAnalysis
import CallsCore
import CallsStore
@testable import CallsWorker
import Foundation
import JobQueue
import Logging
import NIOPosix
import PostgresNIO
import RecordingStorage
import Synchronization
import TestSupport
import Testing

/// Analysis leases whose first claims (or first commits) time out, as during a database outage.
final class FlakyLeases: AnalysisLeases {
    let base: PostgresAnalysisLeases
    let failuresLeft: Mutex<Int>
    let commitFailuresLeft: Mutex<Int>
    /// Every commit fails with an error that is no outage, as a result the database refuses would.
    let commitAlwaysRefused: Bool

    init(base: PostgresAnalysisLeases, failures: Int, commitFailures: Int = 0, commitAlwaysRefused: Bool = false) {
        self.base = base
        self.failuresLeft = Mutex(failures)
        self.commitFailuresLeft = Mutex(commitFailures)
        self.commitAlwaysRefused = commitAlwaysRefused
    }

    struct RefusedResult: Error, CustomStringConvertible {
        var description: String { "the database refused the result" }
    }

    func claim(callID: UUID, worker: String, leaseSeconds: Int) async throws -> ClaimResult<AnalysisClaim> {
        let fail = failuresLeft.withLock { left -> Bool in
            defer { left = max(0, left - 1) }
            return left > 0
        }
        if fail { throw DatabaseTimeout(limit: .seconds(5)) }
        return try await base.claim(callID: callID, worker: worker, leaseSeconds: leaseSeconds)
    }

    func complete(_ claim: AnalysisClaim, with result: AnalysisResult) async throws -> WorkCommit {
        let fail = commitFailuresLeft.withLock { left -> Bool in
            defer { left = max(0, left - 1) }
            return left > 0
        }
        if fail { throw DatabaseTimeout(limit: .seconds(5)) }
        if commitAlwaysRefused { throw RefusedResult() }
        return try await base.complete(claim, with: result)
    }
    func fail(_ claim: AnalysisClaim, reason: String) async throws -> FollowUps? { try await base.fail(claim, reason: reason) }
    func release(_ claim: AnalysisClaim, reason: String) async throws -> Bool { try await base.release(claim, reason: reason) }
    func releaseHeld(callID: UUID, worker: String) async throws -> Bool { try await base.releaseHeld(callID: callID, worker: worker) }
    func failUnclaimed(callID: UUID, reason: String) async throws -> Bool { try await base.failUnclaimed(callID: callID, reason: reason) }
    func resetForRetry(callID: UUID) async throws -> Bool { try await base.resetForRetry(callID: callID) }
}

/// A lease keeper for which ending a dead worker's leases always times out.
struct UnexpirableLeaseKeeper: LeaseKeeper {
    let base: PostgresLeaseKeeper

    func extendLeases(worker: String, leaseSeconds: Int) async throws -> Int {
        try await base.extendLeases(worker: worker, leaseSeconds: leaseSeconds)
    }
    func expireLeases(workers: [String]) async throws -> Int { throw DatabaseTimeout(limit: .seconds(5)) }
    func stalledWork(unclaimedFor: Duration, limit: Int) async throws -> StalledWork {
        try await base.stalledWork(unclaimedFor: unclaimedFor, limit: limit)
    }
    func oldestUnfinishedAge() async throws -> Duration? { try await base.oldestUnfinishedAge() }
}

extension IntegrationSuite {
    @Suite struct InPlaceRetryTests {
        /// Claims that time out, or a commit that times out after the claim went through (the worker then
        /// claims again what it already holds).
        @Test(arguments: [(3, 0), (0, 2)])
        func anOutageRetriedInPlaceSpendsNoAttemptAndNoDelivery(claimFailures: Int, commitFailures: Int) async throws {
            try await Stack.withMigrated { stack, url in
                try await stack.withAPI { client in
                    _ = try await client.uploadedCall()
                }
                let (redis, queue) = stack.makeQueue()
                let pool = NIOThreadPool(numberOfThreads: 1)
                pool.start()
                try await TestServices.withPostgres(url) { postgres in
                    let leases = FlakyLeases(
                        base: PostgresAnalysisLeases(client: postgres, logger: TestServices.logger, queueingArchive: false),
                        failures: claimFailures,
                        commitFailures: commitFailures)
                    let worker = "in-place"
                    let handler = AnalysisJobHandler(
                        leases: leases, store: try LocalRecordingStore(root: stack.recordings.path, ioPool: pool),
                        analyzer: AudioAnalyzer(), worker: worker, leaseSeconds: 30, maxAttempts: 1,
                        analysisPool: pool, logger: TestServices.logger)
                    let service = WorkerService(
                        worker: worker, concurrency: 1, queue: queue,
                        makeFetcher: { _ in JobFetcher(client: RedisClient(url: stack.api.queue.redis), keys: queue.keys, worker: worker) },
                        handler: handler,
                        retryPolicy: RetryPolicy(base: .milliseconds(10), maxDeliveries: 1),
                        watchdog: FetchWatchdog(threshold: .seconds(10)), logger: TestServices.logger)
                    let fetcher = JobFetcher(client: RedisClient(url: stack.api.queue.redis), keys: queue.keys, worker: worker)
                    let payload = try #require(try await fetcher.fetch(timeoutSeconds: 2))
                    await fetcher.shutdown()

                    // Timed-out claims or commits, then success: one delivery, one attempt, not dead-lettered.
                    await service.process(payload)
                    let rows = try await postgres.query("SELECT status, attempts FROM calls", logger: TestServices.logger)
                        .decode((String, Int).self).collectAll()
                    #expect(rows.map(\.0) == ["ready"])
                    #expect(rows.map(\.1) == [1])
                    #expect(try await queue.deadPayloads().isEmpty)
                    #expect(try await queue.processingCount(worker: worker) == 0)
                }
                try await pool.shutdownGracefully()
                await redis.shutdown()
            }
        }
    }
}
