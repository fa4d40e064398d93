import CallsStore
import JobQueue
import Logging
import Metrics
import ServiceLifecycle

/// The queue's self-healing, run by every worker:
/// - due retries move from the delayed set to the ready queue (one Lua script, so workers never move one twice);
/// - the reaper returns the jobs of workers whose heartbeat expired to the ready queue (under a lock, one
///   reaper at a time);
/// - the reconciler re-enqueues work PostgreSQL says is due but Redis does not hold (expired leases, or jobs
///   lost with Redis data, e.g. after `FLUSHALL`). Two workers reconciling at once may push a job twice, which
///   is harmless: the second delivery's claim finds it leased or finished.
struct MaintenanceService: Service {
    let owner: String
    let reaper: Reaper
    let queue: RedisJobQueue
    let registry: WorkerRegistry
    let keeper: any LeaseKeeper
    /// Off on a worker that does not archive: archives due are left to one that does.
    let archiving: Bool
    /// Off on a worker without callbacks.
    let deliveringCallbacks: Bool
    let timing: WorkerTiming
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastUpkeep = ContinuousClock.now - timing.maintenanceInterval
            while !Task.isCancelled {
                await promote()
                if ContinuousClock.now - lastUpkeep >= timing.maintenanceInterval {
                    await upkeep()
                    lastUpkeep = .now
                }
                try? await Task.sleep(for: timing.promotionInterval)
            }
        }
    }

    /// Often, so a retry starts within a fraction of a second of being due.
    func promote() async {
        do {
            try await queue.promoteDueRetries()
        } catch {
            logger.warning("promoting due retries failed", metadata: ["error": "\(error)"])
        }
    }

    func upkeep() async {
        do {
            if case .reaped(let workers, let jobs) = try await reaper.reap(), !workers.isEmpty {
                // Their jobs are back on the queue; their leases must not make the next worker wait them out.
                let released = try await keeper.expireLeases(workers: workers)
                logger.notice(
                    "reaped dead workers",
                    metadata: [
                        "workers": "\(workers.joined(separator: ","))", "requeued": "\(jobs)", "leases_ended": "\(released)",
                    ])
                Counter(label: "calls_jobs_requeued_total", dimensions: [("by", "reaper")]).increment(by: jobs)
            }
        } catch {
            logger.warning("reaper failed", metadata: ["error": "\(error)"])
        }
        do {
            let requeued = try await reconcile()
            if requeued > 0 {
                logger.notice("re-enqueued stalled jobs", metadata: ["count": "\(requeued)"])
                Counter(label: "calls_jobs_requeued_total", dimensions: [("by", "reconciler")]).increment(by: requeued)
            }
        } catch {
            logger.warning("reconciler failed", metadata: ["error": "\(error)"])
        }
    }

    func reconcile() async throws -> Int {
        let work = try await keeper.stalledWork(unclaimedFor: timing.unclaimedGrace, limit: 500)
        var stalled = work.analyses.map { Job(kind: .analyze, callID: $0) }
        if archiving { stalled += work.archives.map { Job(kind: .archive, callID: $0) } }
        if deliveringCallbacks { stalled += work.callbacks.map { Job(kind: .callback, callID: $0) } }
        guard !stalled.isEmpty else { return 0 }
        let queued = try await queue.queuedPayloads(workers: try await registry.registeredWorkers())
        var requeued = 0
        for job in stalled {
            if queued.contains(job.payload) { continue }
            try await queue.enqueue(job)
            requeued += 1
        }
        return requeued
    }
}
