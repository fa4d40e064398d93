import CallsCore
import CallsStore
import EventBus
import JobQueue
import Logging
import PostgresNIO

/// The `sources` role, or nil when the worker does not have it or no source is configured.
///
/// Each fetcher holds a Redis lease (`StreamLease`, as the panel role does) rather than a PostgreSQL advisory
/// lock: a session lock needs a connection held for as long as the fetcher runs, four per source on every
/// node standing by, and PostgreSQL frees it only when it notices the session is gone. The lease lapses on
/// its own after its TTL when a node dies, is renewed before each request and each page's transaction (both
/// bounded, so shorter than the TTL), and costs no connection while standing by. What a lease cannot rule out,
/// a holder that paused past it storing once more, the fenced cursor update in `PostgresSourceStore` does.
func makeSourcesRole(
    configuration: WorkerConfiguration, leaseClient: RedisClient, postgres: PostgresClient, worker: String, logger: Logger,
    timing: SourceTiming? = nil
) -> SourcesRole? {
    let settings = configuration.sources
    guard configuration.roles.contains(.sources), !settings.endpoints.isEmpty else { return nil }
    let timing = timing ?? SourceTiming(settings)
    let store = PostgresSourceStore(client: postgres, logger: logger)
    let namespace = configuration.queue.name
    let plan = settings.endpoints.flatMap { endpoint in SourceCollection.allCases.map { (endpoint, $0) } }
    return SourcesRole(fetchers: plan.map { "\($0.0.name)/\($0.1.rawValue)" }, timeout: timing.timeout) { client in
        plan.map { endpoint, collection in
            var fetcherLogger = logger
            fetcherLogger[metadataKey: "source"] = "\(endpoint.name)"
            fetcherLogger[metadataKey: "collection"] = "\(collection.rawValue)"
            return SourceFetcher(
                source: endpoint.name, collection: collection,
                pages: HTTPSourcePages(base: endpoint.url, timeout: timing.timeout, client: client), store: store,
                lease: StreamLease(redis: leaseClient, key: "{\(namespace):sources}:lease:\(endpoint.name):\(collection.rawValue)"),
                owner: worker, pageSize: settings.pageSize, timing: timing, logger: fetcherLogger)
        }
    }
}
