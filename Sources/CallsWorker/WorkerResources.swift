import Logging
import NIOPosix
import RecordingStorage
import Synchronization

/// What the worker's services share and what must be released once every one of them has stopped: the thread
/// pools, the Redis command connection and the recording store.
final class WorkerResources: Sendable {
    let decodePool: NIOThreadPool
    /// Nil when callbacks are off.
    let resolverPool: NIOThreadPool?
    let storage: ConfiguredRecordingStore
    private let releaseConnections: @Sendable () async -> Void
    private let released = Mutex(false)

    init(
        decodePool: NIOThreadPool, resolverPool: NIOThreadPool?, storage: ConfiguredRecordingStore,
        releaseConnections: @escaping @Sendable () async -> Void
    ) {
        self.decodePool = decodePool
        self.resolverPool = resolverPool
        self.storage = storage
        self.releaseConnections = releaseConnections
    }

    /// Once only: after the services have run, or by a test that built a worker and never ran it.
    func release() async {
        guard
            released.withLock({ done in
                defer { done = true }
                return !done
            })
        else { return }
        await releaseConnections()
        await storage.shutdown()
        try? await decodePool.shutdownGracefully()
        try? await resolverPool?.shutdownGracefully()
    }
}
