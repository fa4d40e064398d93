import AudioAnalysis
import CallsCore
import CallsStore
import Foundation
import JobQueue
import Logging
import NIOPosix
import RecordingStorage

/// What became of one delivery of a job.
public enum JobOutcome: Sendable, Equatable {
    /// Results committed, call `ready`.
    case completed
    /// The recording could not be analysed this time; the job goes to the delayed set for another attempt.
    case retry(String, attempt: Int)
    /// The recording could not be analysed and no attempt is left; call `failed` with the reason.
    case failed(String)
    /// A duplicate delivery of a finished job, or a job for a call that no longer exists.
    case skipped(String)
    /// Another worker's lease on the call is still running: this delivery is a duplicate, but the job is not
    /// finished, so its delivery count is kept for whoever runs it next (a job that kills every worker that
    /// claims it must still reach `CALLS_MAX_DELIVERIES`); the duplicate itself is not counted, since it never
    /// ran the job.
    case heldByAnother
    /// Another worker claimed the call after this one; its commit was refused, nothing was written.
    case fenced
}

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
            analysis = .failure(AudioDecodingError(
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
