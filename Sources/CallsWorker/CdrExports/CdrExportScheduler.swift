import CallsCore
import CallsStore
import Foundation
import JobQueue
import Logging
import Metrics
import ServiceLifecycle

/// The `exports` role: every `CALLS_CDR_EXPORT_POLL_MS`, for each consumer, schedules the CDR versions past
/// its cursor as pending deliveries, forms its next batch when none is in flight and pushes the batch's job
/// (the outbox relay's part), and pushes again the job of a queued batch Redis does not hold (the
/// reconciler's part: Redis flushed, or the process died between the batch's commit and its push). Several
/// processes may run the role: a consumer's cursor row serialises them, and a duplicate push is harmless.
struct CdrExportScheduler: Service {
    let exports: PostgresCdrExports
    let settings: CdrExportSettings
    let queue: RedisJobQueue
    let registry: WorkerRegistry
    /// A queued batch unchanged and unleased this long, whose job Redis does not hold, is pushed again.
    let lostAfter: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var backoff = Backoff()
            while !Task.isCancelled {
                do {
                    try await pass()
                    backoff.reset()
                    try? await Task.sleep(for: .milliseconds(settings.pollMilliseconds))
                } catch {
                    logger.warning("CDR export scheduling failed", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: backoff.next())
                }
            }
        }
    }

    func pass() async throws {
        if let settled = try await exports.settledChangeSeq(consumers: settings.consumers.map(\.name)) {
            for consumer in settings.consumers {
                while try await exports.schedule(consumer: consumer.name, upTo: settled, limit: 1000) == 1000 {}
            }
        }
        for consumer in settings.consumers {
            guard let batch = try await exports.formBatch(consumer: consumer.name, size: settings.batchSize) else { continue }
            do {
                try await queue.enqueue(Job(kind: .export, callID: batch.id))
            } catch {
                logger.warning(
                    "queueing a CDR export batch failed; it is pushed again once Redis answers",
                    metadata: ["batch": "\(batch.id)", "error": "\(error)"])
            }
        }
        try await requeueLostBatches()
        let pending = try await exports.pendingCounts()
        for consumer in settings.consumers {
            Gauge(label: "calls_cdr_export_pending", dimensions: [("consumer", consumer.name)])
                .record(pending[consumer.name] ?? 0)
        }
    }

    /// Returns how many it pushed again.
    @discardableResult
    func requeueLostBatches() async throws -> Int {
        let candidates = try await exports.unprotectedBatches(olderThan: lostAfter, limit: 500)
        guard !candidates.isEmpty else { return 0 }
        let queued = try await queue.queuedPayloads(workers: try await registry.registeredWorkers())
        var pushed = 0
        for id in candidates {
            let job = Job(kind: .export, callID: id)
            if queued.contains(job.payload) { continue }
            try await queue.enqueue(job)
            pushed += 1
        }
        if pushed > 0 {
            logger.notice("re-enqueued CDR export batches Redis did not hold", metadata: ["count": "\(pushed)"])
            Counter(label: "calls_jobs_requeued_total", dimensions: [("by", "cdr_exports")]).increment(by: pushed)
        }
        return pushed
    }
}
