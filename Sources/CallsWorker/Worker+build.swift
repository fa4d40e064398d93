import AudioAnalysis
import CallsCore
import CallsStore
import EventBus
import Foundation
import JobQueue
import Logging
import NIOPosix
import Observability
import PostgresNIO
import Prometheus
import QueuePanel
import RecordingStorage
import ServiceLifecycle

/// A worker process as `buildWorker` wires it: its services in start order, and what the group that runs
/// them needs to know.
public struct WorkerProcess {
    public let worker: String
    /// In start order; the group stops them in reverse: the job loop drains first, the heartbeat deregisters
    /// after it, and PostgreSQL closes last.
    public let services: [any Service]
    let shutdownGrace: Duration
    let resources: WorkerResources

    /// The decode and conversion threads, one per slot (visible to tests, which fill it up).
    var ioPool: NIOThreadPool { resources.decodePool }

    /// The services as one, with the grace period the job loop has to finish its jobs, after which it is
    /// cancelled and the heartbeat service hands back what it held; the shared resources are released last.
    /// Stopped by its parent group.
    public func service(logger: Logger) -> some Service {
        var configuration = ServiceGroupConfiguration(services: services.map { .init(service: $0) }, logger: logger)
        configuration.maximumGracefulShutdownDuration = shutdownGrace
        return WorkerRun(services: ServiceGroup(configuration: configuration), resources: resources, logger: logger)
    }

    /// The worker as a process runs it: until SIGTERM or SIGINT.
    public func serviceGroup(logger: Logger) -> ServiceGroup {
        ServiceGroup(
            configuration: .init(
                services: [.init(service: service(logger: logger))], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    }

    /// Releases the threads and connections of a worker whose services never ran (running them releases them
    /// at the end); harmless after they did.
    public func releaseResources() async {
        await resources.release()
    }

    /// `host-pid-random`: unique across machines and restarts, readable in logs and Redis keys.
    public static func makeWorkerID() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        return "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(suffix)"
    }
}

/// The production worker, as `calls-worker` runs it.
public func buildWorkerServiceGroup(
    configuration: WorkerConfiguration, logger: Logger, metricsRegistry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
) throws -> ServiceGroup {
    try buildWorker(configuration: configuration, logger: logger, metricsRegistry: metricsRegistry).serviceGroup(logger: logger)
}

/// Wires a worker process from its configuration. Nothing is read, written or connected to until its services
/// run, except that the thread pools are started (the stores need them running) and the recordings directory
/// is made.
public func buildWorker(
    configuration: WorkerConfiguration, logger: Logger, worker: String = WorkerProcess.makeWorkerID(),
    timing: WorkerTiming? = nil, metricsRegistry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
) throws -> WorkerProcess {
    let timing = timing ?? WorkerTiming(heartbeatTTL: .seconds(configuration.heartbeatTTLSeconds))
    let slots = WorkerSlots(configuration)
    let decodePool = NIOThreadPool(numberOfThreads: slots.decodeThreads)
    let resolverPool = slots.resolverThreads > 0 ? NIOThreadPool(numberOfThreads: slots.resolverThreads) : nil
    // First of what holds resources, as it can throw: nothing else exists yet to be released.
    let storage = try ConfiguredRecordingStore(
        configuration.recordings.storage, recordingsDirectory: configuration.recordings.directory, ioPool: decodePool)
    decodePool.start()
    resolverPool?.start()
    let store = storage.store
    let postgres = PostgresClient(
        configuration: configuration.database.url.clientConfiguration(
            statementTimeout: .milliseconds(configuration.database.statementTimeoutMilliseconds)),
        backgroundLogger: logger)
    let commandClient = RedisClient(url: configuration.queue.redis)
    // A blocking stream read holds its connection for the block time: the panel reads through a client of its own.
    let streamClient = configuration.roles.contains(.panel) ? RedisClient(url: configuration.queue.redis) : nil
    let activity = ActivityRoles(
        configuration: configuration, postgres: postgres, worker: worker, claimAfter: timing.heartbeatTTL, logger: logger)
    let resources = WorkerResources(
        decodePool: decodePool, resolverPool: resolverPool, storage: storage,
        releaseConnections: {
            await commandClient.shutdown()
            await streamClient?.shutdown()
            for client in activity.clients { await client.shutdown() }
        })
    let archive = configuration.archive
    let keys = QueueKeys(name: configuration.queue.name)
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
        analysisPool: decodePool,
        logger: logger)
    let archiving =
        archive.enabled
        ? ArchiveJobHandler(
            archives: archives, store: store, settings: archive, worker: worker,
            leaseSeconds: configuration.jobLeaseSeconds, maxAttempts: configuration.maxAttempts,
            encodingPool: decodePool, logger: logger)
        : nil
    let callbackLeases = PostgresCallbackLeases(client: postgres, logger: logger)
    var callbacks: CallbackJobHandler?
    if let policy = configuration.callbacks, let resolverPool {
        callbacks = CallbackJobHandler(
            callbacks: callbackLeases,
            calls: PostgresCallRepository(client: postgres, logger: logger),
            policy: policy, resolverPool: resolverPool, worker: worker, leaseSeconds: configuration.jobLeaseSeconds,
            logger: logger)
    }
    var handler = JobRouter(analysis: analysis, archive: archiving, callback: callbacks, publisher: queue, logger: logger)
    handler.export = makeExportJobHandler(configuration: configuration, postgres: postgres, worker: worker, logger: logger)
    let redisURL = configuration.queue.redis
    let watchdog = FetchWatchdog(threshold: timing.fetchStallThreshold)
    var loop = WorkerService(
        worker: worker, concurrency: slots.analysis, archiveConcurrency: slots.archive,
        callbackConcurrency: slots.callback, queue: queue,
        makeFetcher: { kind in JobFetcher(client: RedisClient(url: redisURL), keys: keys, worker: worker, kind: kind) },
        handler: handler,
        retryPolicy: RetryPolicy(
            base: .milliseconds(configuration.retryBaseMilliseconds), maxDeliveries: configuration.maxDeliveries),
        watchdog: watchdog, logger: logger)
    loop.exportConcurrency = handler.export == nil ? 0 : configuration.cdrExports.concurrency
    let heartbeat = HeartbeatService(
        worker: worker, registry: registry, queue: queue, keeper: keeper, leaseSeconds: configuration.jobLeaseSeconds,
        timing: timing, logger: logger)
    let maintenance = MaintenanceService(
        owner: worker,
        reaper: Reaper(client: commandClient, keys: keys, owner: worker, restartGrace: timing.restartGrace),
        queue: queue, registry: registry, keeper: keeper, archiving: archive.enabled,
        deliveringCallbacks: configuration.callbacks != nil, timing: timing, logger: logger)
    let listener: (any Service)? = configuration.metricsPort.map { port in
        WorkerHTTPListener.make(
            host: configuration.metricsHost, port: port,
            exporter: MetricsExporter(
                registry: metricsRegistry, queue: queue, workers: registry, keeper: keeper,
                streams: monitoredStreams(configuration: configuration, client: commandClient)),
            keeper: keeper, queue: queue, watchdog: watchdog)
    }
    let panel = streamClient.map { client in
        makePanelRole(
            configuration: configuration, streamClient: client, leaseClient: commandClient, postgres: postgres, worker: worker,
            timing: timing, logger: logger)
    }
    let sources = makeSourcesRole(
        configuration: configuration, leaseClient: commandClient, postgres: postgres, worker: worker, logger: logger)
    let cdrs =
        configuration.roles.contains(.cdrs) ? makeCdrBuilderRole(configuration: configuration, postgres: postgres, logger: logger) : nil
    let exportScheduler = makeExportScheduler(
        configuration: configuration, postgres: postgres, queue: queue, registry: registry, timing: timing, logger: logger)
    let jobs = configuration.roles.contains(.jobs)
    let services: [(any Service)?] =
        [postgres, listener] + (jobs ? [heartbeat, maintenance] : []) + [panel, sources, cdrs, exportScheduler] + activity.services
        + (jobs ? [loop] : [])
    return WorkerProcess(
        worker: worker, services: services.compactMap { $0 }, shutdownGrace: .seconds(configuration.shutdownGraceSeconds),
        resources: resources)
}

/// The streams whose length and groups `/metrics` reports: the telephony stream and every activity partition.
func monitoredStreams(configuration: WorkerConfiguration, client: RedisClient) -> [EventStream] {
    let activity = ActivityStreamKeys(namespace: configuration.queue.name, partitions: configuration.activity.partitions)
    return [EventStream(redis: client, key: TelephonyStreamKeys(namespace: configuration.queue.name).stream)]
        + activity.streams.map { EventStream(redis: client, key: $0) }
}

func makePanelRole(
    configuration: WorkerConfiguration, streamClient: RedisClient, leaseClient: RedisClient, postgres: PostgresClient,
    worker: String, timing: WorkerTiming, logger: Logger
) -> PanelRole {
    let keys = TelephonyStreamKeys(namespace: configuration.queue.name)
    let settings = configuration.panel
    let store = PostgresPanelStore(client: postgres, logger: logger)
    // The holder of the lease is the only reader, and the one before it is fenced off: what it left pending is
    // taken over at once.
    let consumer = PanelConsumer(
        stream: EventStream(redis: streamClient, key: keys.stream), store: store,
        rules: PanelRules(calendar: PanelCalendar(timeZone: settings.timeZone), serviceLevelSeconds: settings.serviceLevelSeconds),
        consumer: worker, batchSize: configuration.panelBatchSize, claimAfter: .zero, logger: logger)
    return PanelRole(
        consumer: consumer, lease: StreamLease(redis: leaseClient, key: keys.panelLease), store: store,
        timing: PanelTiming(leaseTTL: timing.heartbeatTTL),
        limits: GhostLimits(waitingSeconds: settings.waitingLimitSeconds, callSeconds: settings.callLimitSeconds),
        eventRetention: .seconds(settings.eventRetentionDays * 86_400), logger: logger)
}

func makeCdrBuilderRole(configuration: WorkerConfiguration, postgres: PostgresClient, logger: Logger) -> CdrBuilderRole {
    CdrBuilderRole(
        store: PostgresCdrBuilderStore(client: postgres, logger: logger), graceSeconds: configuration.cdrGraceSeconds, logger: logger)
}

/// The export job handler, for a worker that runs jobs while CDR consumers are configured.
func makeExportJobHandler(
    configuration: WorkerConfiguration, postgres: PostgresClient, worker: String, logger: Logger
) -> CdrExportJobHandler? {
    guard configuration.cdrExports.enabled else { return nil }
    return CdrExportJobHandler(
        exports: PostgresCdrExports(client: postgres, logger: logger), settings: configuration.cdrExports, worker: worker,
        leaseSeconds: configuration.jobLeaseSeconds, maxAttempts: configuration.maxAttempts, logger: logger)
}

/// The `exports` role's scheduler, when the role is on and CDR consumers are configured.
func makeExportScheduler(
    configuration: WorkerConfiguration, postgres: PostgresClient, queue: RedisJobQueue, registry: WorkerRegistry,
    timing: WorkerTiming, logger: Logger
) -> CdrExportScheduler? {
    guard configuration.roles.contains(.exports), configuration.cdrExports.enabled else { return nil }
    return CdrExportScheduler(
        exports: PostgresCdrExports(client: postgres, logger: logger), settings: configuration.cdrExports, queue: queue,
        registry: registry, lostAfter: timing.unclaimedGrace, logger: logger)
}
