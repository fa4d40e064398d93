import CallsCore
import CallsStore
import Foundation
import JobQueue
import Logging
import Metrics
import ServiceLifecycle

/// The worker's job loop: `concurrency` analysis slots and `archiveConcurrency` archive slots, each taking one
/// job of its kind at a time from Redis into this worker's processing list, handling it, and acknowledging it
/// only after its outcome is committed. On graceful shutdown the slots stop taking jobs and finish the one in
/// hand.
public struct WorkerService: Service {
    let worker: String
    let concurrency: Int
    let archiveConcurrency: Int
    let callbackConcurrency: Int
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
        logger.info("worker started", metadata: [
            "worker": "\(worker)", "concurrency": "\(concurrency)", "archive_concurrency": "\(archiveConcurrency)",
        ])
        let kinds = Array(repeating: Job.Kind.analyze, count: concurrency)
            + Array(repeating: Job.Kind.archive, count: archiveConcurrency)
            + Array(repeating: Job.Kind.callback, count: callbackConcurrency)
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
    /// scheduled for a retry, or dead-lettered.
    func process(_ payload: String) async {
        guard let job = Job(payload: payload) else {
            logger.error("dropping a malformed job", metadata: ["payload": "\(payload)"])
            await settle(payload, after: .skipped("malformed payload"))
            return
        }
        let started = ContinuousClock.now
        guard let outcome = await outcome(of: job) else { return }
        logger.info("job done", metadata: ["job": "\(job)", "outcome": "\(outcome)"])
        await settle(payload, after: outcome)
        Counter(label: "calls_jobs_total", dimensions: [("kind", job.kind.rawValue), ("outcome", outcome.metricName)])
            .increment()
        Metrics.Timer(label: "calls_job_duration_seconds", dimensions: [("kind", job.kind.rawValue)])
            .recordInterval(since: started)
    }

    /// Runs the job, retrying infrastructure failures (database or storage down) in place without spending
    /// an attempt; nil when the task was cancelled before an outcome was committed. Any other error (a bug, a
    /// row the code cannot handle) is retried in place only `maxInPlaceRetries` times: retried for ever, it
    /// would hold the slot, and the heartbeat would renew the job's lease so nobody else could try. The job's
    /// lease is then given back and the job takes the delayed path of a failed attempt, its deliveries
    /// counted, so it ends dead-lettered after `CALLS_MAX_DELIVERIES` like any job that never finishes.
    private func outcome(of job: Job) async -> JobOutcome? {
        // Counted once per delivery, not per in-place retry: an outage must not make a job look poisonous.
        guard let deliveries = await recordDelivery(of: job) else { return nil }
        var backoff = Backoff()
        var unexpectedFailures = 0
        while true {
            do {
                if deliveries > retryPolicy.maxDeliveries {
                    // Delivered again and again without ever finishing: it takes its worker down with it.
                    let work = switch job.kind {
                    case .analyze: "its analysis"
                    case .archive: "its MP3 archive"
                    case .callback: "its callback"
                    }
                    let reason = "the recording was delivered \(deliveries - 1) times without \(work) ever finishing"
                    try await handler.abandon(job, reason: reason)
                    return .failed(reason)
                }
                return try await handler.handle(job)
            } catch {
                if Task.isCancelled { return nil }
                if !OutageErrors.isOutage(error) {
                    unexpectedFailures += 1
                    if unexpectedFailures > retryPolicy.maxInPlaceRetries {
                        let reason = "the job failed \(unexpectedFailures) times in place: \(error)"
                        logger.error("job keeps failing, giving it back", metadata: ["job": "\(job)", "error": "\(String(reflecting: error))"])
                        guard await relinquish(job) else { return nil }
                        return .retry(reason, attempt: deliveries)
                    }
                }
                logger.warning("job interrupted, retrying", metadata: ["job": "\(job)", "error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: backoff.next())
            }
        }
    }

    /// Gives back the lease the job holds, retried through outages; false when cancelled first.
    private func relinquish(_ job: Job) async -> Bool {
        var backoff = Backoff()
        while !Task.isCancelled {
            do {
                try await handler.relinquish(job)
                return true
            } catch {
                logger.warning("giving a job's lease back failed, retrying", metadata: ["job": "\(job)", "error": "\(error)"])
                try? await Task.sleep(for: backoff.next())
            }
        }
        return false
    }

    private func settle(_ payload: String, after outcome: JobOutcome) async {
        var backoff = Backoff()
        while !Task.isCancelled {
            do {
                switch outcome {
                case .retry(let error, let attempt):
                    try await queue.scheduleRetry(payload, after: retryPolicy.delay(afterAttempt: attempt), worker: worker, error: error)
                case .failed(let error):
                    try await queue.deadLetter(payload, worker: worker, error: error)
                case .completed, .skipped:
                    try await queue.acknowledge(payload: payload, worker: worker)
                case .heldByAnother:
                    // The job lives on with the lease holder, and this delivery never ran it: uncounted.
                    try await queue.acknowledgeDuplicate(payload: payload, worker: worker)
                case .fenced:
                    // The job lives on with the lease holder: keep its delivery count.
                    try await queue.acknowledge(payload: payload, worker: worker, keepingDeliveries: true)
                }
                return
            } catch {
                logger.warning("settling a job failed, retrying", metadata: ["payload": "\(payload)", "error": "\(error)"])
                try? await Task.sleep(for: backoff.next())
            }
        }
    }

    private func recordDelivery(of job: Job) async -> Int? {
        var backoff = Backoff()
        while !Task.isCancelled {
            do {
                return try await queue.recordDelivery(job.payload)
            } catch {
                logger.warning("counting a delivery failed, retrying", metadata: ["job": "\(job)", "error": "\(error)"])
                try? await Task.sleep(for: backoff.next())
            }
        }
        return nil
    }
}
