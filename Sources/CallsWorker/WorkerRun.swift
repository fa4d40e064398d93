import Logging
import ServiceLifecycle

/// A worker's services run as one. Their own group stops them in reverse order; only when all of them have
/// returned, even after the grace period ran out and they were cancelled (when the heartbeat still hands
/// jobs back over the shared Redis connection), are the shared resources released. A service of the group
/// itself could not wait for that: cancellation reaches every service at once.
struct WorkerRun: Service {
    let services: ServiceGroup
    let resources: WorkerResources
    let logger: Logger

    func run() async throws {
        // Blocking, but once and before any job: the scratch files a previous run of this worker abandoned.
        if let swept = try? resources.storage.store.sweepIncoming(olderThan: 3600), swept > 0 {
            logger.info("removed abandoned scratch files", metadata: ["count": "\(swept)"])
        }
        do {
            try await services.run()
        } catch {
            await resources.release()
            throw error
        }
        await resources.release()
    }
}
