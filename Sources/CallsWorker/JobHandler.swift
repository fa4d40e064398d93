import CallsStore
import Foundation
import JobQueue
import Logging

/// Runs delivered jobs of every kind.
public protocol JobHandler: Sendable {
    func handle(_ job: Job) async throws -> JobOutcome
    /// Records that `job` is given up without having finished: it was delivered again and again (it takes
    /// its worker down with it).
    func abandon(_ job: Job, reason: String) async throws
}

/// Hands each job to the handler of its kind. After an analysis commits, it queues the archive job; should
/// that push fail, the reconciler finds the archive due in PostgreSQL and queues it.
public struct JobRouter: JobHandler {
    let analysis: AnalysisJobHandler
    /// Nil when archiving is off.
    let archive: ArchiveJobHandler?
    let publisher: any JobPublisher
    let logger: Logger

    public init(
        analysis: AnalysisJobHandler, archive: ArchiveJobHandler?, publisher: any JobPublisher, logger: Logger
    ) {
        self.analysis = analysis
        self.archive = archive
        self.publisher = publisher
        self.logger = logger
    }

    public func handle(_ job: Job) async throws -> JobOutcome {
        switch job.kind {
        case .analyze:
            let outcome = try await analysis.handle(job)
            if outcome == .completed, archive != nil {
                let archiveJob = Job(kind: .archive, callID: job.callID)
                do {
                    try await publisher.enqueue(archiveJob)
                } catch {
                    logger.warning("queueing the archive job failed; the reconciler will", metadata: [
                        "job": "\(archiveJob)", "error": "\(error)",
                    ])
                }
            }
            return outcome
        case .archive:
            // A worker that does not archive runs no archive slots, so this takes a job handed to the wrong
            // slot by a bug; acknowledged, it is queued again by the reconciler of a worker that archives.
            guard let archive else { return .skipped("archiving is off on this worker") }
            return try await archive.handle(job)
        }
    }

    public func abandon(_ job: Job, reason: String) async throws {
        switch job.kind {
        case .analyze: try await analysis.abandon(job, reason: reason)
        case .archive: _ = try await archive?.archives.failUnclaimed(callID: job.callID, reason: reason)
        }
    }
}
