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
    /// Gives back whatever lease this worker holds for `job` (its handling keeps failing), so the heartbeat
    /// stops renewing it and a later delivery can claim the work.
    func relinquish(_ job: Job) async throws
}

/// Hands each job to the handler of its kind, and queues the follow-up jobs its commit reports due (see
/// `FollowUps`): the one place that pushes them. Should a push fail, the reconciler finds the work due in
/// PostgreSQL and queues it.
public struct JobRouter: JobHandler {
    let analysis: AnalysisJobHandler
    /// Nil when archiving is off.
    let archive: ArchiveJobHandler?
    /// Nil when callbacks are off.
    let callback: CallbackJobHandler?
    /// Nil when no CDR consumer is configured.
    var export: CdrExportJobHandler?
    let publisher: any JobPublisher
    let logger: Logger

    public init(
        analysis: AnalysisJobHandler, archive: ArchiveJobHandler?, callback: CallbackJobHandler? = nil,
        publisher: any JobPublisher, logger: Logger
    ) {
        self.analysis = analysis
        self.archive = archive
        self.callback = callback
        self.publisher = publisher
        self.logger = logger
    }

    public func handle(_ job: Job) async throws -> JobOutcome {
        switch job.kind {
        case .analyze:
            let (outcome, followUps) = try await analysis.handleWithFollowUps(job)
            for kind in Self.kinds(of: followUps, archiving: archive != nil, deliveringCallbacks: callback != nil) {
                await enqueue(Job(kind: kind, callID: job.callID))
            }
            return outcome
        case .archive:
            // A worker that does not archive runs no archive slots, so this takes a job handed to the wrong
            // slot by a bug; acknowledged, it is queued again by the reconciler of a worker that archives.
            guard let archive else { return .skipped("archiving is off on this worker") }
            return try await archive.handle(job)
        case .callback:
            guard let callback else { return .skipped("callbacks are off on this worker") }
            return try await callback.handle(job)
        case .export:
            guard let export else { return .skipped("CDR exports are off on this worker") }
            return try await export.handle(job)
        }
    }

    /// The jobs to queue for `followUps`: those of the kinds this worker's configuration runs (a callback due
    /// while callbacks are off waits in PostgreSQL for a worker that delivers them).
    static func kinds(of followUps: FollowUps, archiving: Bool, deliveringCallbacks: Bool) -> [Job.Kind] {
        var kinds: [Job.Kind] = []
        if followUps.contains(.archive), archiving { kinds.append(.archive) }
        if followUps.contains(.callback), deliveringCallbacks { kinds.append(.callback) }
        return kinds
    }

    private func enqueue(_ job: Job) async {
        do {
            try await publisher.enqueue(job)
        } catch {
            logger.warning("queueing a follow-up job failed; the reconciler will", metadata: ["job": "\(job)", "error": "\(error)"])
        }
    }

    public func abandon(_ job: Job, reason: String) async throws {
        if job.kind == .export {
            try await export?.abandon(job, reason: reason)
            return
        }
        _ = try await leases(of: job.kind)?.failUnclaimed(callID: job.callID, reason: reason)
    }

    public func relinquish(_ job: Job) async throws {
        if job.kind == .export {
            try await export?.relinquish(job)
            return
        }
        // Every handler of a worker holds its leases under the worker's one id.
        _ = try await leases(of: job.kind)?.releaseHeld(callID: job.callID, worker: analysis.worker)
    }

    /// The leases of a kind this worker runs; nil for one it does not.
    private func leases(of kind: Job.Kind) -> (any WorkLeases)? {
        switch kind {
        case .analyze: analysis.leases
        case .archive: archive?.archives
        case .callback: callback?.callbacks
        case .export: nil
        }
    }
}
