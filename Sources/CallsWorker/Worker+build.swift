import AudioAnalysis
import CallsCore
import CallsStore
import Foundation
import JobQueue
import Logging
import NIOPosix
import Observability
import PostgresNIO
import Prometheus
import RecordingStorage
import ServiceLifecycle

/// A worker process: its PostgreSQL client and its job loop in one service group.
public struct WorkerProcess {
    public let worker: String
    public let services: [any Service]
    let shutdownGrace: Duration
    /// The decode and conversion threads, one per slot (visible to tests, which fill it up).
    let ioPool: NIOThreadPool
    private let cleanup: @Sendable () async -> Void

    public init(
        configuration: CallsConfiguration, logger: Logger, worker: String = WorkerProcess.makeWorkerID(),
        timing: WorkerTiming? = nil, metricsRegistry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) throws {
        self.worker = worker
        let timing = timing ?? WorkerTiming(heartbeatTTL: .seconds(configuration.heartbeatTTLSeconds))
        shutdownGrace = .seconds(configuration.shutdownGraceSeconds)
        let postgres = PostgresClient(
            configuration: configuration.database.clientConfiguration(
                statementTimeout: .milliseconds(configuration.workerStatementTimeoutMilliseconds)),
            backgroundLogger: logger)
        let commandClient = RedisClient(url: configuration.redis)
        let archive = configuration.archive
        let archiveSlots = archive.enabled ? archive.concurrency : 0
        // One thread per slot: each job's decode or conversion blocks the thread it runs on.
        let ioPool = NIOThreadPool(numberOfThreads: configuration.workerConcurrency + archiveSlots)
        ioPool.start()
        self.ioPool = ioPool
        let storage = try ConfiguredRecordingStore(
            configuration.storage, recordingsDirectory: configuration.recordingsDirectory, ioPool: ioPool)
        let store = storage.store
        if let swept = try? store.sweepIncoming(olderThan: 3600), swept > 0 {
            logger.info("removed abandoned scratch files", metadata: ["count": "\(swept)"])
        }
        let keys = QueueKeys(name: configuration.queueName)
        let queue = RedisJobQueue(client: commandClient, keys: keys)
        let leases = PostgresAnalysisLeases(client: postgres, logger: logger, queueingArchive: archive.enabled)
        let keeper = PostgresLeaseKeeper(client: postgres, logger: logger)
        let registry = WorkerRegistry(client: commandClient, keys: keys)
        let archives = PostgresArchiveLeases(client: postgres, logger: logger, removingOriginals: !archive.keepOriginal)
        let analysis = AnalysisJobHandler(
            leases: leases,
            store: store,
            analyzer: AudioAnalyzer(settings: configuration.analysis),
            worker: worker,
            leaseSeconds: configuration.jobLeaseSeconds,
            maxAttempts: configuration.maxAttempts,
            analysisPool: ioPool,
            logger: logger)
        let archiving = archive.enabled
            ? ArchiveJobHandler(
                archives: archives, store: store, settings: archive, worker: worker,
                leaseSeconds: configuration.jobLeaseSeconds, maxAttempts: configuration.maxAttempts,
                encodingPool: ioPool, logger: logger)
            : nil
        let callbackLeases = PostgresCallbackLeases(client: postgres, logger: logger)
        let callbackSlots = configuration.callbacks == nil ? 0 : 2
        // Name lookups block their thread: one per callback slot, apart from the decodes.
        let resolverPool = NIOThreadPool(numberOfThreads: max(callbackSlots, 1))
        if callbackSlots > 0 { resolverPool.start() }
        let callbacks = configuration.callbacks.map { policy in
            CallbackJobHandler(
                callbacks: callbackLeases,
                calls: PostgresCallRepository(client: postgres, logger: logger),
                policy: policy, resolverPool: resolverPool, worker: worker, leaseSeconds: configuration.jobLeaseSeconds,
                logger: logger)
        }
        let handler = JobRouter(analysis: analysis, archive: archiving, callback: callbacks, publisher: queue, logger: logger)
        let redisURL = configuration.redis
        let watchdog = FetchWatchdog(threshold: timing.fetchStallThreshold)
        let loop = WorkerService(
            worker: worker, concurrency: configuration.workerConcurrency, archiveConcurrency: archiveSlots,
            callbackConcurrency: callbackSlots, queue: queue,
            makeFetcher: { kind in JobFetcher(client: RedisClient(url: redisURL), keys: keys, worker: worker, kind: kind) },
            handler: handler,
            retryPolicy: RetryPolicy(
                base: .milliseconds(configuration.retryBaseMilliseconds), maxDeliveries: configuration.maxDeliveries),
            watchdog: watchdog, logger: logger)
        cleanup = {
            await commandClient.shutdown()
            await storage.shutdown()
            try? await ioPool.shutdownGracefully()
            if callbackSlots > 0 { try? await resolverPool.shutdownGracefully() }
        }
        let heartbeat = HeartbeatService(
            worker: worker, registry: registry, queue: queue, keeper: keeper, leaseSeconds: configuration.jobLeaseSeconds,
            timing: timing, logger: logger)
        let maintenance = MaintenanceService(
            owner: worker,
            reaper: Reaper(client: commandClient, keys: keys, owner: worker, restartGrace: timing.restartGrace),
            queue: queue, registry: registry, keeper: keeper, archiving: archive.enabled,
            deliveringCallbacks: configuration.callbacks != nil, timing: timing, logger: logger)
        // Shut down in reverse: the job loop drains first, the heartbeat deregisters after it.
        var services: [any Service] = [postgres, heartbeat, maintenance, loop]
        if let port = configuration.workerMetricsPort {
            let exporter = MetricsExporter(registry: metricsRegistry, queue: queue, workers: registry, keeper: keeper)
            services.insert(
                WorkerHTTPListener.make(
                    host: configuration.workerMetricsHost, port: port, exporter: exporter, keeper: keeper, queue: queue,
                    watchdog: watchdog),
                at: 1)
        }
        self.services = services
    }

    /// Runs until SIGTERM or SIGINT, lets the slots finish their jobs, then releases everything.
    public func run(logger: Logger) async throws {
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // Past the grace period the job loop is cancelled; the heartbeat service then hands back what it held.
        configuration.maximumGracefulShutdownDuration = shutdownGrace
        let group = ServiceGroup(configuration: configuration)
        do {
            try await group.run()
        } catch {
            await cleanup()
            throw error
        }
        await cleanup()
    }

    /// Releases the Redis connection and threads; call after the services have stopped.
    public func releaseResources() async {
        await cleanup()
    }

    /// `host-pid-random`: unique across machines and restarts, readable in logs and Redis keys.
    public static func makeWorkerID() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        return "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(suffix)"
    }
}
