import Logging
import NIOPosix
import RecordingStorage
import ServiceLifecycle
import Synchronization

/// What the worker's other services share and must be released once they have stopped: the thread pools, the
/// Redis command connection and the recording store. First in the service group, so it stops last. At start it
/// removes the scratch files a previous run abandoned.
final class WorkerResources: Service, Sendable {
    let decodePool: NIOThreadPool
    /// Nil when callbacks are off.
    let resolverPool: NIOThreadPool?
    private let storage: ConfiguredRecordingStore
    private let releaseConnections: @Sendable () async -> Void
    private let released = Mutex(false)
    private let logger: Logger

    init(
        decodePool: NIOThreadPool, resolverPool: NIOThreadPool?, storage: ConfiguredRecordingStore, logger: Logger,
        releaseConnections: @escaping @Sendable () async -> Void
    ) {
        self.decodePool = decodePool
        self.resolverPool = resolverPool
        self.storage = storage
        self.logger = logger
        self.releaseConnections = releaseConnections
    }

    func run() async throws {
        let store = storage.store
        if let swept = try? await decodePool.runIfActive({ try store.sweepIncoming(olderThan: 3600) }), swept > 0 {
            logger.info("removed abandoned scratch files", metadata: ["count": "\(swept)"])
        }
        try? await gracefulShutdown()
        await release()
    }

    /// Once only: the service calls it when the group stops, a test that never ran the group calls it itself.
    func release() async {
        guard released.withLock({ done in defer { done = true }; return !done }) else { return }
        await releaseConnections()
        await storage.shutdown()
        try? await decodePool.shutdownGracefully()
        try? await resolverPool?.shutdownGracefully()
    }
}
