import CallsStore
import EventBus
import Foundation
import Hummingbird
import JobQueue
import Metrics
import Prometheus

/// Serves `GET /metrics` in the Prometheus text format: everything recorded through swift-metrics in this
/// process (job outcomes and durations, HTTP requests), plus the queue's gauges, read from Redis and
/// PostgreSQL so every instance reports the same shared figures. The endpoint is public, so the gauges are
/// read at most once per `refreshInterval` however often it is scraped (`CachedRefresh`).
public struct MetricsExporter: Sendable {
    public let registry: PrometheusCollectorRegistry
    let queue: RedisJobQueue
    let workers: WorkerRegistry
    let keeper: any LeaseKeeper
    /// Event streams whose length and consumer groups are reported.
    let streams: [EventStream]
    let gaugeReads: CachedRefresh<Bool>

    public init(
        registry: PrometheusCollectorRegistry, queue: RedisJobQueue, workers: WorkerRegistry, keeper: any LeaseKeeper,
        streams: [EventStream] = [], refreshInterval: Duration = .seconds(5)
    ) {
        self.streams = streams
        self.registry = registry
        self.queue = queue
        self.workers = workers
        self.keeper = keeper
        gaugeReads = CachedRefresh(interval: refreshInterval)
    }

    /// Uses swift-metrics' global backend: call once per process, before any metric is created.
    public static func bootstrapMetricsSystem() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }

    public func refreshGauges() async throws {
        let statistics = try await queue.statistics(registry: workers)
        registry.makeGauge(name: "calls_queue_ready", help: "Analysis jobs waiting for a worker").set(Double(statistics.ready))
        registry.makeGauge(name: "calls_queue_archive_ready", help: "Archive jobs waiting for a worker")
            .set(Double(statistics.archiveReady))
        registry.makeGauge(name: "calls_queue_callback_ready", help: "Callback deliveries waiting for a worker")
            .set(Double(statistics.callbackReady))
        registry.makeGauge(name: "calls_queue_in_flight", help: "Jobs held by workers").set(Double(statistics.inFlight))
        registry.makeGauge(name: "calls_queue_delayed", help: "Jobs waiting for a retry").set(Double(statistics.delayed))
        registry.makeGauge(name: "calls_queue_dead", help: "Jobs given up").set(Double(statistics.dead))
        registry.makeGauge(name: "calls_workers_alive", help: "Workers with a live heartbeat").set(Double(statistics.workersAlive))
        let age = try await keeper.oldestUnfinishedAge()
        registry.makeGauge(name: "calls_oldest_job_age_seconds", help: "Age of the oldest call still processing")
            .set(age.map { Double($0.components.seconds) } ?? 0)
        for stream in streams { try await refreshGauges(of: stream) }
    }

    /// Per stream its length, and per consumer group what it holds unacknowledged, what it has not read yet,
    /// and how long its oldest unacknowledged entry has waited.
    func refreshGauges(of stream: EventStream, now: Date = Date()) async throws {
        registry.makeGauge(name: "calls_stream_length", labels: [("stream", stream.key)], help: "Entries the event stream holds")
            .set(Double(try await stream.length()))
        for group in try await stream.groups() {
            let labels = [("stream", stream.key), ("group", group.name)]
            registry.makeGauge(name: "calls_stream_pending", labels: labels, help: "Entries delivered to the group and not acknowledged")
                .set(Double(group.pending))
            registry.makeGauge(name: "calls_stream_lag", labels: labels, help: "Entries not yet delivered to the group (-1: unknown)")
                .set(Double(group.lag ?? -1))
            let oldest = try await stream.oldestUnacknowledgedID(of: group)
            registry.makeGauge(
                name: "calls_stream_oldest_unacknowledged_seconds", labels: labels,
                help: "Age of the oldest entry the group has not acknowledged (0: none)"
            ).set(oldest.map { max(0, now.timeIntervalSince(EventStream.addedAt(id: $0))) } ?? 0)
        }
    }

    public func render() async -> String {
        let refreshFailed = registry.makeGauge(
            name: "calls_metrics_refresh_failed", help: "1 when the queue gauges could not be read")
        let refreshed = await gaugeReads.value { [self] in
            do {
                try await refreshGauges()
                return true
            } catch {
                // The process' own counters are still worth exporting when Redis or PostgreSQL is away.
                return false
            }
        }
        refreshFailed.set(Double(refreshed ? 0 : 1))
        return registry.emitToString()
    }

    public func addRoute<Context: RequestContext>(to router: Router<Context>) {
        router.get("/metrics") { _, _ -> Response in
            let text = await render()
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
