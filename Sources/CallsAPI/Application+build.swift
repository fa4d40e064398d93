import CallsCore
import CallsStore
import EventBus
import Hummingbird
import HummingbirdCore
import JobQueue
import Logging
import NIOPosix
import Observability
import PostgresNIO
import Prometheus
import RecordingStorage
import ServiceLifecycle

/// What the routes need, so tests can build the same router over in-memory twins.
public struct APIDependencies<Calls: CallRepository & Outbox & UploadLedger>: Sendable {
    public var calls: Calls
    public var queue: any JobPublisher
    public var store: any RecordingStore
    public var maxUploadBytes: Int64
    /// Nil: uploads may be as slow as they like (route tests about other things).
    var uploadPace: UploadPace?
    /// Wakes long polls and event streams; fed by `CallStatusListener` in the application.
    public var statusChanges: CallStatusHub
    /// Nil: `callback_url` is refused.
    public var callbacks: CallbackPolicy?
    public var access: AccessControl
    /// Nil: no `/openapi.yaml` and `/docs` (route tests about other things).
    public var contract: APIContract?
    /// How long `/readyz` answers from its last check (it is public: a flood must not reach the dependencies).
    public var readinessCacheInterval: Duration = .seconds(1)
    /// How long an event stream stays open at most.
    public var eventStreamLifetime: Duration = .seconds(3600)
    /// Nil: no `POST /events` (route tests about other things).
    public var telephony: (any TelephonyIngest)?
    public var eventLimits = EventIngestSettings()
    /// Events older than this are refused: they could be copies of events already forgotten.
    public var eventRetention: Duration = .seconds(7 * 86_400)
    /// Nil: no `/queues` and `/agents` (route tests about other things).
    var panel: PanelView?
    /// Status streams one node holds open at most.
    public var maxPanelStreams = 10_000
    /// Nil: no `/panel` page.
    public var wallboard: WallboardPage?
    /// Nil: no `/cdrs` and `/statistics` (route tests about other things).
    public var cdrs: (any CdrReader)?
    /// Nil: no `/sources` (route tests about other things).
    public var sources: (any SourceStatusReader)?
    /// Nil: no `POST /api/v1/events` (route tests about other things).
    public var activityIngest: (any ActivityIngest)?
    /// `POST /api/v1/events`' limits, and the months of events kept (older ones are refused).
    public var activitySettings = ActivitySettings()
    /// Nil: no `/api/v1/users/{user_id}/detail` and `/api/v1/aggregates` (route tests about other things).
    var activityReads: ActivityReadDependencies?
    /// Must run as a service of the application, or the outbox keeps every entry until the relay pushes it again.
    let outboxAcknowledger: OutboxAcknowledger
    let downloads: DownloadSettings

    init(
        calls: Calls, queue: any JobPublisher, store: any RecordingStore, maxUploadBytes: Int64,
        outboxAcknowledger: OutboxAcknowledger, downloads: DownloadSettings, statusChanges: CallStatusHub = CallStatusHub(),
        callbacks: CallbackPolicy? = nil, access: AccessControl = .open, contract: APIContract? = nil
    ) {
        self.access = access
        self.contract = contract
        self.callbacks = callbacks
        self.statusChanges = statusChanges
        self.calls = calls
        self.queue = queue
        self.store = store
        self.maxUploadBytes = maxUploadBytes
        self.outboxAcknowledger = outboxAcknowledger
        self.downloads = downloads
    }
}

extension APIDependencies {
    func makeHealthController() -> HealthController {
        HealthController(
            checks: [
                .init(name: "database") { try await calls.ping() },
                .init(name: "queue") { try await queue.ping() },
            ],
            cacheInterval: readinessCacheInterval)
    }

    var recordingIntake: RecordingIntake<Calls> {
        RecordingIntake(
            calls: calls, queue: queue, store: store, maxUploadBytes: maxUploadBytes, outboxAcknowledger: outboxAcknowledger)
    }
}

public func buildRouter<Calls>(_ dependencies: APIDependencies<Calls>) -> Router<CallsRequestContext> {
    let router = Router(context: CallsRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: ProblemMiddleware())
    let routes = AccessGroups(router: router, access: dependencies.access)
    let uploads = RecordingUploadHandler(intake: dependencies.recordingIntake, pace: dependencies.uploadPace)
    CallsController(
        calls: dependencies.calls, uploads: uploads, store: dependencies.store, queue: dependencies.queue,
        watch: CallWatch(calls: dependencies.calls, hub: dependencies.statusChanges, streamLifetime: dependencies.eventStreamLifetime),
        callbacks: dependencies.callbacks
    ).addRoutes(to: routes)
    DownloadController(
        calls: dependencies.calls, store: dependencies.store, signer: dependencies.downloads.signer,
        urlLifetimeSeconds: dependencies.downloads.urlLifetimeSeconds, origin: dependencies.downloads.origin
    ).addRoutes(to: routes)
    if let telephony = dependencies.telephony {
        EventsController(ingest: telephony, limits: dependencies.eventLimits, retention: dependencies.eventRetention)
            .addRoutes(to: routes)
    }
    if let panel = dependencies.panel {
        QueuesController(
            view: panel, streamLifetime: dependencies.eventStreamLifetime, feed: PanelStatusFeed(view: panel),
            streams: StreamSlots(limit: dependencies.maxPanelStreams)
        ).addRoutes(to: routes)
    }
    if let cdrs = dependencies.cdrs {
        CdrsController(cdrs: cdrs).addRoutes(to: routes)
        StatisticsController(cdrs: cdrs).addRoutes(to: routes)
    }
    if let sources = dependencies.sources { SourcesController(reader: sources).addRoutes(to: routes) }
    if let activityIngest = dependencies.activityIngest {
        ActivityEventsController(ingest: activityIngest, settings: dependencies.activitySettings).addRoutes(to: routes)
    }
    if let activityReads = dependencies.activityReads { ActivityReadsController(activity: activityReads).addRoutes(to: routes) }
    dependencies.makeHealthController().addRoutes(to: router)
    if let contract = dependencies.contract { ContractController(contract: contract).addRoutes(to: router) }
    if let wallboard = dependencies.wallboard { WallboardController(page: wallboard).addRoutes(to: router) }
    return router
}

/// Last, once every route is in: a known path with an unknown method is 405, not 404.
public func answerUnsupportedMethods(of router: Router<CallsRequestContext>) {
    router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
}

/// `/admin` (role `admin`) and `/metrics` (public), which need the Redis queue and PostgreSQL themselves
/// rather than the repositories route tests replace.
func addOperatorRoutes(
    to router: Router<CallsRequestContext>, access: AccessControl, queue: RedisJobQueue, workers: WorkerRegistry,
    leases: any AnalysisLeases, archives: any ArchiveLeases, callbacks: any CallbackLeases,
    metrics: MetricsExporter, exports: PostgresCdrExports? = nil
) {
    AdminController(queue: queue, registry: workers, leases: leases, archives: archives, callbacks: callbacks)
        .addRoutes(to: AccessGroups(router: router, access: access).admin)
    if let exports { CdrExportsController(exports: exports, queue: queue).addRoutes(to: AccessGroups(router: router, access: access)) }
    metrics.addRoute(to: router)
}

/// How download URLs are made.
struct DownloadSettings: Sendable {
    var signer: ContentURLSigner
    var urlLifetimeSeconds: Int
    var origin: DownloadOrigin
}

/// The HTTP server: HTTP/1.1 answering `Expect: 100-continue` itself. With `idleTimeout`, a connection is
/// closed when a request head has not arrived within it (from the connection's start or the last response),
/// when a request's body stalls that long, or when it sits idle between requests; a response being written
/// (a long poll, an event stream) is never cut. With `bodyPace`, a request body slower than that is closed
/// on every route.
public func httpServer(idleTimeout: Duration? = nil, bodyPace: UploadPace? = nil) -> HTTPServerBuilder {
    .http1(
        configuration: .init(
            additionalChannelHandlers: [ContinueExpectationHandler(), HalfClosedClientHandler()]
                + (bodyPace.map { [RequestBodyPaceHandler(pace: $0)] } ?? []),
            idleTimeout: idleTimeout.map { .nanoseconds(Int64($0 / .nanoseconds(1))) }))
}

/// What to do about migrations when the API starts.
public enum MigrationPolicy: Sendable {
    /// Refuse to start while any migration is pending.
    case require
    /// Apply pending migrations first.
    case apply
}

/// The production application, used by `calls-api serve` and by the integration tests alike.
///
/// With `configuration.grpcPort`, the gRPC server runs beside the HTTP one over the same dependencies;
/// `grpcListening` learns the port it was bound to.
public func buildApplication(
    configuration: APIConfiguration, migrations: MigrationPolicy, logger: Logger,
    metricsRegistry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), grpcListening: GRPCListeningPort? = nil
) throws -> some ApplicationProtocol {
    let postgres = PostgresClient(
        configuration: configuration.database.url.clientConfiguration(
            statementTimeout: .milliseconds(configuration.database.statementTimeoutMilliseconds)),
        backgroundLogger: logger)
    // The request path (enqueue, withdraw, admin) on a few connections, and the public /metrics on one of its
    // own, so neither a slow command nor a scrape flood holds the other up; while Redis is unreachable,
    // requests fail fast instead of each waiting out a connect timeout in turn.
    let redis = RedisClient(url: configuration.queue.redis, connections: 4, reconnectBackoff: .seconds(1))
    let monitoring = RedisClient(url: configuration.queue.redis, socketTimeoutSeconds: 2, reconnectBackoff: .seconds(1))
    let blockingPool = NIOThreadPool(numberOfThreads: 4)
    blockingPool.start()
    let calls = PostgresCallRepository(client: postgres, logger: logger)
    let queue = RedisJobQueue(client: redis, keys: QueueKeys(name: configuration.queue.name))
    let migrator = try Migrator(client: postgres, directory: configuration.migrationsDirectory, logger: logger)
    let contract = try APIContract(path: configuration.openAPIFile)
    let wallboard = try WallboardPage(path: configuration.panelPageFile)
    // Last of what can throw: the S3 store holds an HTTP client that must be shut down.
    let storage = try ConfiguredRecordingStore(
        configuration.recordings.storage, recordingsDirectory: configuration.recordings.directory, ioPool: blockingPool)
    let store = storage.store
    let startup = StartupGate()
    let outboxAcknowledger = OutboxAcknowledger(outbox: calls, logger: logger)
    if configuration.urlSigningKey == nil {
        logger.warning(
            "CALLS_URL_SIGNING_KEY is not set: download URLs are signed with a random key and work only on this node until it restarts")
    }

    let statusChanges = CallStatusHub(limits: .init(perCall: configuration.maxWatchersPerCall, total: configuration.maxWatchers))
    // A connection of its own, with a short timeout, only when keys are checked and limited.
    let limited = configuration.access.authentication && configuration.access.requestsPerSecond != nil
    let rateLimits = limited ? RedisRateLimiter.makeClient(url: configuration.queue.redis) : nil
    let access = AccessControl(
        settings: configuration.access,
        authenticator: APIKeyAuthenticator(
            keys: PostgresAPIKeyRepository(client: postgres, logger: logger),
            throttle: configuration.access.keyLookupsPerSecond.map { KeyLookupThrottle(perSecond: $0, burst: 3 * $0) }),
        limiter: rateLimits.map { RedisRateLimiter(client: $0, prefix: "{\(configuration.queue.name)}:rate:") })
    if !configuration.access.authentication {
        logger.warning("CALLS_AUTH=off: every request is let through without an API key; for local development only")
    }
    var dependencies = APIDependencies(
        calls: calls, queue: queue, store: store, maxUploadBytes: configuration.maxUploadBytes,
        outboxAcknowledger: outboxAcknowledger,
        downloads: DownloadSettings(
            signer: ContentURLSigner(secret: configuration.urlSigningKey),
            urlLifetimeSeconds: configuration.downloadURLTTLSeconds,
            origin: DownloadOrigin(
                publicURL: configuration.publicURL, trustForwardedHeaders: configuration.trustForwardedHeaders)),
        statusChanges: statusChanges, callbacks: configuration.callbacks, access: access, contract: contract)
    dependencies.eventStreamLifetime = .seconds(configuration.eventStreamSeconds)
    let telephonyStream = EventStream(redis: redis, key: TelephonyStreamKeys(namespace: configuration.queue.name).stream)
    let panelStore = PostgresPanelStore(client: postgres, logger: logger)
    dependencies.telephony = StreamTelephonyIngest(
        stream: telephonyStream, store: panelStore, maxBacklog: configuration.events.maxBacklog)
    dependencies.panel = PanelView(
        reader: panelStore,
        backlogAge: { try await PanelView.backlogAge(of: telephonyStream) },
        settings: configuration.panel)
    dependencies.eventLimits = configuration.events
    dependencies.eventRetention = .seconds(configuration.panel.eventRetentionDays * 86_400)
    dependencies.wallboard = wallboard
    dependencies.cdrs = PostgresCdrStore(client: postgres, logger: logger)
    dependencies.sources = PostgresSourceStore(client: postgres, logger: logger)
    let activityCache = configuration.activity.cacheSeconds > 0 ? RedisActivityCacheStore.makeClient(url: configuration.queue.redis) : nil
    dependencies.activityReads = makeActivityReads(
        configuration, reads: PostgresActivityReads(client: postgres, logger: logger), cacheClient: activityCache)
    dependencies.maxPanelStreams = configuration.maxWatchers
    // Lanes of their own: batches of thousands of events never queue ahead of enqueues and rate-limit checks.
    let activityRedis = RedisClient(url: configuration.queue.redis, connections: 4, reconnectBackoff: .seconds(1))
    dependencies.activityIngest = StreamActivityIngest(
        redis: activityRedis,
        keys: ActivityStreamKeys(namespace: configuration.queue.name, partitions: configuration.activity.partitions),
        lookup: ActivityKeyLookup(client: postgres, logger: logger), maxBacklog: configuration.activity.maxBacklog)
    dependencies.activitySettings = configuration.activity
    dependencies.uploadPace = UploadPace(
        bytesPerSecond: configuration.uploadMinBytesPerSecond, grace: .seconds(configuration.httpIdleTimeoutSeconds))
    let router = buildRouter(dependencies)
    let workers = WorkerRegistry(client: redis, keys: queue.keys)
    let monitoredQueue = RedisJobQueue(client: monitoring, keys: queue.keys)
    let metrics = MetricsExporter(
        registry: metricsRegistry, queue: monitoredQueue, workers: WorkerRegistry(client: monitoring, keys: queue.keys),
        keeper: PostgresLeaseKeeper(client: postgres, logger: logger),
        streams: [EventStream(redis: monitoring, key: TelephonyStreamKeys(namespace: configuration.queue.name).stream)]
            + ActivityStreamKeys(namespace: configuration.queue.name, partitions: configuration.activity.partitions).streams.map {
                EventStream(redis: monitoring, key: $0)
            })
    // The operator routes only put given-up work back for a retry; what a commit records is the worker's
    // business, so the commit settings here are never used.
    addOperatorRoutes(
        to: router, access: access, queue: queue, workers: workers,
        leases: PostgresAnalysisLeases(client: postgres, logger: logger, queueingArchive: false),
        archives: PostgresArchiveLeases(client: postgres, logger: logger, removingOriginals: false),
        callbacks: PostgresCallbackLeases(client: postgres, logger: logger), metrics: metrics,
        exports: PostgresCdrExports(client: postgres, logger: logger))
    answerUnsupportedMethods(of: router)
    var services: [any Service] = [
        CleanupService {
            await redis.shutdown()
            await monitoring.shutdown()
            await activityRedis.shutdown()
            await rateLimits?.shutdown()
            await activityCache?.shutdown()
            await storage.shutdown()
            try? await blockingPool.shutdownGracefully()
        },
        postgres,
        OutboxRelay(outbox: calls, queue: queue, logger: logger, startup: startup),
        CallStatusListener(postgres: postgres, hub: statusChanges, logger: logger),
        outboxAcknowledger,
        UploadJanitor(ledger: calls, store: store, logger: logger, startup: startup),
    ]
    if let port = configuration.grpcPort {
        services.append(
            makeGRPCServer(
                dependencies, address: GRPCServerService.address(host: configuration.httpHost, port: port),
                publicURL: configuration.publicURL, maxHealthWatches: configuration.maxWatchers, listening: grpcListening,
                logger: logger))
    }
    if let days = configuration.retentionDays {
        services.append(RetentionService(calls: calls, queue: queue, store: store, days: days, logger: logger, startup: startup))
    }
    var app = Application(
        router: router,
        server: httpServer(
            idleTimeout: .seconds(configuration.httpIdleTimeoutSeconds),
            bodyPace: configuration.uploadMinBytesPerSecond > 0
                ? UploadPace(
                    bytesPerSecond: configuration.uploadMinBytesPerSecond, grace: .seconds(2 * configuration.httpIdleTimeoutSeconds))
                : nil),
        configuration: .init(
            address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "calls-api",
            // At the cap the server stops accepting; further clients wait in the listen backlog, and no file
            // descriptor is spent on them.
            availableConnectionsDelegate: .maximum(configuration.httpMaxConnections, logger: logger)),
        services: services,
        logger: logger
    )
    app.beforeServerStarts {
        switch migrations {
        case .require: try await migrator.verifyUpToDate()
        case .apply: try await migrator.migrate()
        }
        startup.open()
        let swept = try store.sweepIncoming(olderThan: 3600)
        if swept > 0 { logger.info("removed abandoned partial uploads", metadata: ["count": "\(swept)"]) }
    }
    return app
}
