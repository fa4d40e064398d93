import CallsStore
import Foundation
import JobQueue
import Logging
import ServiceLifecycle

/// Keeps this worker visibly alive: a heartbeat key with a TTL in Redis, and the leases of the calls it is
/// processing renewed in PostgreSQL. When the process dies both lapse, the reaper requeues its jobs and
/// the reconciler re-enqueues its calls. On graceful shutdown (after the job loop has drained) it
/// deregisters.
struct HeartbeatService: Service {
    let worker: String
    let registry: WorkerRegistry
    let queue: RedisJobQueue
    let keeper: any LeaseKeeper
    let leaseSeconds: Int
    let timing: WorkerTiming
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await beat()
                try? await Task.sleep(for: timing.heartbeatInterval)
            }
        }
        // A task of its own, because it must run even when the grace period ran out and the shutdown escalated
        // to cancellation: that is exactly when jobs are still in hand.
        await Task { await handBackAndDeregister() }.value
    }

    /// Jobs still in hand go back to the queue for another worker; then this worker leaves the registry.
    private func handBackAndDeregister() async {
        do {
            let handedBack = try await queue.handBack(worker: worker)
            if handedBack > 0 { logger.notice("handed back unfinished jobs", metadata: ["count": "\(handedBack)"]) }
            try await registry.deregister(worker: worker)
        } catch {
            logger.warning("deregistering failed; the reaper will clean up", metadata: ["error": "\(error)"])
        }
    }

    func beat() async {
        do {
            // Heartbeat before registration: a reaper must never see this worker registered but silent.
            try await registry.beat(worker: worker, ttl: timing.heartbeatTTL)
            try await registry.register(worker: worker, description: Self.describe(worker))
        } catch  where !Task.isCancelled {
            logger.warning("heartbeat failed", metadata: ["error": "\(error)"])
        } catch {}
        do {
            _ = try await keeper.extendLeases(worker: worker, leaseSeconds: leaseSeconds)
        } catch  where !Task.isCancelled {
            logger.warning("renewing leases failed", metadata: ["error": "\(error)"])
        } catch {}
    }

    static func describe(_ worker: String) -> String {
        #"{"host":"\#(ProcessInfo.processInfo.hostName)","pid":\#(ProcessInfo.processInfo.processIdentifier)}"#
    }
}
