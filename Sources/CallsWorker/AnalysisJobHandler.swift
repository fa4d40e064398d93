import AudioAnalysis
import CallsCore
import CallsStore
import Foundation
import JobQueue
import Logging
import NIOPosix
import RecordingStorage

/// Runs one analysis job: claim the call, analyse its recording, commit the result under the claim's fencing
/// token. Errors that are not about the recording (database down) are thrown, so the job stays in the
/// worker's processing list and is tried again.
public struct AnalysisJobHandler: JobHandler {
    let leases: any AnalysisLeases
    let store: any RecordingStore
    let analyzer: AudioAnalyzer
    let worker: String
    let leaseSeconds: Int
    let maxAttempts: Int
    /// Runs the blocking decode; one thread per job slot.
    let analysisPool: NIOThreadPool
    let logger: Logger

    public init(
        leases: any AnalysisLeases, store: any RecordingStore, analyzer: AudioAnalyzer, worker: String,
        leaseSeconds: Int, maxAttempts: Int, analysisPool: NIOThreadPool, logger: Logger
    ) {
        self.leases = leases
        self.store = store
        self.analyzer = analyzer
        self.worker = worker
        self.leaseSeconds = leaseSeconds
        self.maxAttempts = maxAttempts
        self.analysisPool = analysisPool
        self.logger = logger
    }

    public func handle(_ job: Job) async throws -> JobOutcome {
        try await handleWithFollowUps(job).outcome
    }

    /// The outcome, and the work its commit made due.
    func handleWithFollowUps(_ job: Job) async throws -> (outcome: JobOutcome, followUps: FollowUps) {
        let claim: AnalysisClaim
        switch try await leases.claim(callID: job.callID, worker: worker, leaseSeconds: leaseSeconds) {
        case .claimed(let granted): claim = granted
        case .nothingToDo(let reason, _): return (.skipped(reason), [])
        case .leasedByAnother: return (.heldByAnother, [])
        }

        let analysis: Result<AnalysisResult, AudioDecodingError>
        do {
            let analyzer = self.analyzer
            let pool = analysisPool
            analysis = try await store.withLocalFile(forKey: claim.storageKey) { path in
                try await pool.runIfActive {
                    Result { () throws(AudioDecodingError) in try analyzer.analyzeFile(atPath: path) }
                }
            }
        } catch let error as RecordingStoreError where error.kind == .notFound || error.kind == .invalidKey {
            // Storage answered, and no retry in place will change its answer: this spends an attempt.
            analysis = .failure(
                AudioDecodingError(
                    error.kind == .notFound ? "the recording file is missing from storage" : error.message))
        }

        switch analysis {
        case .success(let result):
            return AttemptDecision.outcome(of: try await leases.complete(claim, with: result))
        case .failure(let error):
            return try await AttemptDecision.recordFailure(error.message, of: claim, in: leases, maxAttempts: maxAttempts)
        }
    }

    public func abandon(_ job: Job, reason: String) async throws {
        _ = try await leases.failUnclaimed(callID: job.callID, reason: reason)
    }

    public func relinquish(_ job: Job) async throws {
        _ = try await leases.releaseHeld(callID: job.callID, worker: worker)
    }
}
