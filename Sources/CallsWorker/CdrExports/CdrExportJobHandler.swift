import CallsCore
import CallsStore
import Foundation
import JobQueue
import Logging
import Metrics
import NIOCore

/// Runs an `export` job: POSTs its batch of CDRs to the batch's consumer with the batch id as
/// `Idempotency-Key`, splitting the batch when the consumer refuses it (see `BatchBisection`). Like a
/// callback, the batch is claimed with a lease in PostgreSQL, so one delivery of it is in flight at a time;
/// a retryable failure spends one of `CALLS_MAX_ATTEMPTS` and goes back to the queue with backoff, the last
/// one dead-letters the job and marks the records it still carries `failed`.
public struct CdrExportJobHandler: Sendable {
    let exports: PostgresCdrExports
    let settings: CdrExportSettings
    let worker: String
    let leaseSeconds: Int
    let maxAttempts: Int
    let logger: Logger
    /// Batches this worker's slots are delivering: its lease keeps other workers out, this its other slots.
    let inFlight = CallbacksInFlight()

    public init(
        exports: PostgresCdrExports, settings: CdrExportSettings, worker: String, leaseSeconds: Int, maxAttempts: Int,
        logger: Logger
    ) {
        self.exports = exports
        self.settings = settings
        self.worker = worker
        // A POST may take its whole timeout twice (head, then a refusal's excerpt); the lease, renewed before
        // each POST, must outlast that.
        self.leaseSeconds = max(leaseSeconds, 3 * settings.timeoutSeconds)
        self.maxAttempts = maxAttempts
        self.logger = logger
    }

    public func handle(_ job: Job) async throws -> JobOutcome {
        guard inFlight.start(job.callID) else { return .heldByAnother }
        defer { inFlight.end(job.callID) }
        let claim: CdrExportClaim
        switch try await exports.claim(batchID: job.callID, worker: worker, leaseSeconds: leaseSeconds) {
        case .claimed(let claimed): claim = claimed
        case .nothingToDo(let reason): return .skipped(reason)
        case .leasedByAnother: return .heldByAnother
        }
        guard let consumer = settings.consumer(named: claim.consumer) else {
            return try await exports.abandonForUnknownConsumer(claim)
                ? .skipped("consumer '\(claim.consumer)' is no longer configured") : .fenced
        }
        var logger = logger
        logger[metadataKey: "job"] = "\(job)"
        logger[metadataKey: "consumer"] = "\(consumer.name)"
        let items = try await exports.items(of: claim.batchID)
        let result: BatchBisection.Result
        do {
            result = try await bisection(claim, url: consumer.url, logger: logger)
                .deliver(items, key: claim.batchID.uuidString.lowercased())
        } catch is ExportFenced {
            return .fenced
        }
        let labels = [("consumer", consumer.name)]
        switch result {
        case .answered(let sent, let failed):
            guard try await exports.finish(claim) else { return .fenced }
            Counter(label: "calls_cdr_export_batches_total", dimensions: labels).increment()
            Counter(label: "calls_cdr_export_records_total", dimensions: labels + [("result", "sent")]).increment(by: sent)
            Counter(label: "calls_cdr_export_records_total", dimensions: labels + [("result", "failed")]).increment(by: failed)
            return .completed
        case .fenced:
            return .fenced
        case .retryable(let reason):
            let failure = AttemptDecision.afterFailure(attempt: claim.attempt, maxAttempts: maxAttempts)
            let recorded = try await exports.recordFailure(claim, reason: reason, givingUp: failure == .giveUp)
            if recorded {
                switch failure {
                case .release: Counter(label: "calls_cdr_export_retries_total", dimensions: labels).increment()
                case .giveUp: Counter(label: "calls_cdr_export_dead_letters_total", dimensions: labels).increment()
                }
            }
            return AttemptDecision.outcome(of: failure, reason: reason, attempt: claim.attempt, recorded: recorded)
        }
    }

    func bisection(_ claim: CdrExportClaim, url: URL, logger: Logger) -> BatchBisection {
        let exports = exports
        let leaseSeconds = leaseSeconds
        let poster = ExportPoster(timeout: .seconds(Int64(settings.timeoutSeconds)), logger: logger)
        return BatchBisection(
            post: { items, key in
                // A split batch makes many POSTs: the lease is kept for each, and a claim taken over stops.
                guard try await exports.renew(claim, leaseSeconds: leaseSeconds) else { throw ExportFenced() }
                return try await poster.post(items.map(\.record), key: key, to: url)
            },
            settle: { accepted, rejected, reason in
                try await exports.settle(claim, accepted: accepted, rejected: rejected, reason: reason)
            })
    }

    /// Gives the batch up without running it (its job kept killing its worker).
    public func abandon(_ job: Job, reason: String) async throws {
        _ = try await exports.failUnclaimed(batchID: job.callID, reason: reason)
    }

    public func relinquish(_ job: Job) async throws {
        _ = try await exports.releaseHeld(batchID: job.callID, worker: worker)
    }
}

/// The batch's lease went to a newer claim while it was being delivered.
struct ExportFenced: Error {}
