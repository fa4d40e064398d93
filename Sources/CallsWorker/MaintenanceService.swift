import CallsStore
import JobQueue
import Logging
import ServiceLifecycle

/// The queue's self-healing, run by every worker (locks make one do the work at a time):
/// - the reaper returns the jobs of workers whose heartbeat expired to the ready queue;
/// - the reconciler re-enqueues calls PostgreSQL says are due but Redis does not hold (expired leases, or
///   jobs lost with Redis data, e.g. after `FLUSHALL`).
struct MaintenanceService: Service {
    let owner: String
    let reaper: Reaper
    let queue: RedisJobQueue
    let registry: WorkerRegistry
    let leases: any JobLeaseRepository
    let timing: WorkerTiming
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await runOnce()
                try? await Task.sleep(for: timing.maintenanceInterval)
            }
        }
    }

    func runOnce() async {
        do {
            if case .reaped(let workers, let jobs) = try await reaper.reap(), workers > 0 {
                logger.notice("reaped dead workers", metadata: ["workers": "\(workers)", "requeued": "\(jobs)"])
            }
        } catch {
            logger.warning("reaper failed", metadata: ["error": "\(error)"])
        }
        do {
            let requeued = try await reconcile()
            if requeued > 0 { logger.notice("re-enqueued stalled calls", metadata: ["count": "\(requeued)"]) }
        } catch {
            logger.warning("reconciler failed", metadata: ["error": "\(error)"])
        }
    }

    func reconcile() async throws -> Int {
        let stalled = try await leases.stalledCalls(unclaimedFor: timing.unclaimedGrace, limit: 500)
        guard !stalled.isEmpty else { return 0 }
        let queued = try await queue.queuedPayloads(workers: try await registry.registeredWorkers())
        var requeued = 0
        for callID in stalled {
            let job = Job(kind: .analyze, callID: callID)
            if queued.contains(job.payload) { continue }
            try await queue.enqueue(job)
            requeued += 1
        }
        return requeued
    }
}
