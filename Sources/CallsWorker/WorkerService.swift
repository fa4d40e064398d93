import CallsCore
import CallsStore
import Foundation
import JobQueue
import Logging
import Metrics
import ServiceLifecycle

/// The worker's job loop: `concurrency` analysis slots, `archiveConcurrency` archive slots and
/// `callbackConcurrency` callback slots, each taking one job of its kind at a time from Redis into this worker's processing list, handling it, and acknowledging it
/// only after its outcome is committed. On graceful shutdown the slots stop taking jobs and finish the one in
/// hand.
public struct WorkerService: Service {
    let worker: String
    let concurrency: Int
    let archiveConcurrency: Int
    let callbackConcurrency: Int
    /// Export slots (CDR batches to consumers); set after `init`, zero when exports are off.
    var exportConcurrency = 0
    let queue: RedisJobQueue
    let makeFetcher: @Sendable (Job.Kind) -> JobFetcher
    let handler: any JobHandler
    let retryPolicy: RetryPolicy
    let watchdog: FetchWatchdog
    let logger: Logger
    /// How long one BLMOVE waits; bounds how late a slot notices shutdown.
    var fetchTimeoutSeconds = 1.0

    public init(
        worker: String, concurrency: Int, archiveConcurrency: Int = 0, callbackConcurrency: Int = 0, queue: RedisJobQueue,
        makeFetcher: @escaping @Sendable (Job.Kind) -> JobFetcher, handler: any JobHandler, retryPolicy: RetryPolicy,
        watchdog: FetchWatchdog, logger: Logger
    ) {
        self.worker = worker
        self.concurrency = concurrency
        self.archiveConcurrency = archiveConcurrency
        self.callbackConcurrency = callbackConcurrency
        self.queue = queue
        self.makeFetcher = makeFetcher
        self.handler = handler
        self.retryPolicy = retryPolicy
        self.watchdog = watchdog
        self.logger = logger
    }

    public func run() async throws {
        logger.info(
            "worker started",
            metadata: [
                "worker": "\(worker)", "concurrency": "\(concurrency)", "archive_concurrency": "\(archiveConcurrency)",
                "callback_concurrency": "\(callbackConcurrency)",
            ])
        let kinds =
            Array(repeating: Job.Kind.analyze, count: concurrency)
            + Array(repeating: Job.Kind.archive, count: archiveConcurrency)
            + Array(repeating: Job.Kind.callback, count: callbackConcurrency)
            + Array(repeating: Job.Kind.export, count: exportConcurrency)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await watchdog.watch(logger: logger) }
            await withTaskGroup(of: Void.self) { slots in
                for (slot, kind) in kinds.enumerated() {
                    slots.addTask { await runSlot(slot, taking: kind) }
                }
            }
            group.cancelAll()
        }
        logger.info("worker stopped", metadata: ["worker": "\(worker)"])
    }

    private func runSlot(_ slot: Int, taking kind: Job.Kind) async {
        let fetcher = makeFetcher(kind)
        var backoff = Backoff()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                watchdog.fetchStarted(slot: slot)
                let payload = try await fetcher.fetch(timeoutSeconds: fetchTimeoutSeconds)
                watchdog.fetchAnswered(slot: slot)
                guard let payload else { continue }
                backoff.reset()
                await process(payload)
            } catch {
                logger.warning("fetching a job failed", metadata: ["slot": "\(slot)", "error": "\(error)"])
                try? await Task.sleep(for: backoff.next())
            }
        }
        watchdog.fetchAnswered(slot: slot)
        await fetcher.shutdown()
    }

    /// Handles one delivered payload until its outcome is committed, then settles it in Redis: acknowledged,
    /// scheduled for a retry, or dead-lettered. What to do next is `DeliveryLifecycle`'s decision; this only
    /// performs it.
    func process(_ payload: String) async {
        guard let job = Job(payload: payload) else {
            logger.error("dropping a malformed job", metadata: ["payload": "\(payload)"])
            // Nothing to run, ever: removed from the processing list.
            _ = await persistently("settling a job", payload) { try await settle(payload, .acknowledge) }
            return
        }
        let started = ContinuousClock.now
        var lifecycle = DeliveryLifecycle(
            kind: job.kind, maxDeliveries: retryPolicy.maxDeliveries, maxInPlaceRetries: retryPolicy.maxInPlaceRetries)
        var action = lifecycle.start()
        var outcome: JobOutcome?
        while true {
            switch action {
            case .countDelivery:
                let deliveries = await persistently("counting a delivery", job) { try await queue.recordDelivery(job.payload) }
                action = deliveries.map { lifecycle.deliveryCounted($0) } ?? lifecycle.cancelled()
            case .runJob, .abandon:
                do {
                    if case .abandon(let reason) = action {
                        try await handler.abandon(job, reason: reason)
                        action = lifecycle.abandoned()
                    } else {
                        let finished = try await handler.handle(job)
                        outcome = finished
                        action = lifecycle.jobFinished(finished)
                    }
                } catch {
                    if Task.isCancelled {
                        action = lifecycle.cancelled()
                        continue
                    }
                    let isOutage = OutageErrors.isOutage(error)
                    action = lifecycle.jobFailed("\(error)", isOutage: isOutage)
                    if action == .relinquishLease {
                        logger.error(
                            "job keeps failing, giving it back", metadata: ["job": "\(job)", "error": "\(String(reflecting: error))"])
                    } else {
                        logger.warning("job interrupted, retrying", metadata: ["job": "\(job)", "error": "\(String(reflecting: error))"])
                    }
                }
            case .waitToRetry(let failures):
                try? await Task.sleep(for: Backoff.delay(afterFailures: failures))
                action = lifecycle.waitedToRetry()
            case .relinquishLease:
                let relinquished = await persistently("giving a job's lease back", job) {
                    try await handler.relinquish(job)
                    return true
                }
                action = relinquished == true ? lifecycle.leaseRelinquished() : lifecycle.cancelled()
            case .settle(let settlement):
                // The handler's outcome, or what the lifecycle decided without one (gave the lease back, gave up).
                switch settlement {
                case .retryLater(let error, let attempt): outcome = .retry(error, attempt: attempt)
                case .deadLetter(let error): outcome = .failed(error)
                case .acknowledge, .acknowledgeDuplicate, .acknowledgeKeepingDeliveries: break
                }
                if let outcome { logger.info("job done", metadata: ["job": "\(job)", "outcome": "\(outcome)"]) }
                let settled = await persistently("settling a job", job) {
                    try await settle(payload, settlement)
                    return true
                }
                action = settled == true ? lifecycle.settled() : lifecycle.cancelled()
            case .finished:
                if let outcome {
                    Counter(label: "calls_jobs_total", dimensions: [("kind", job.kind.rawValue), ("outcome", outcome.metricName)])
                        .increment()
                }
                Metrics.Timer(label: "calls_job_duration_seconds", dimensions: [("kind", job.kind.rawValue)])
                    .recordInterval(since: started)
                return
            case .leaveForRedelivery:
                return
            }
        }
    }

    private func settle(_ payload: String, _ settlement: DeliveryLifecycle.Settlement) async throws {
        switch settlement {
        case .acknowledge:
            try await queue.acknowledge(payload: payload, worker: worker)
        case .acknowledgeDuplicate:
            try await queue.acknowledgeDuplicate(payload: payload, worker: worker)
        case .acknowledgeKeepingDeliveries:
            try await queue.acknowledge(payload: payload, worker: worker, keepingDeliveries: true)
        case .retryLater(let error, let attempt):
            try await queue.scheduleRetry(payload, after: retryPolicy.delay(afterAttempt: attempt), worker: worker, error: error)
        case .deadLetter(let error):
            try await queue.deadLetter(payload, worker: worker, error: error)
        }
    }

    /// Runs `operation` until it succeeds, through outages, with backoff; nil when cancelled first.
    private func persistently<Value>(
        _ what: String, _ subject: Any, _ operation: () async throws -> Value
    ) async -> Value? {
        var backoff = Backoff()
        while !Task.isCancelled {
            do {
                return try await operation()
            } catch {
                logger.warning("\(what) failed, retrying", metadata: ["job": "\(subject)", "error": "\(error)"])
                try? await Task.sleep(for: backoff.next())
            }
        }
        return nil
    }
}
