import AsyncHTTPClient
import ServiceLifecycle

/// The worker's `sources` role: one fetcher per (source, collection), each competing for a lease of its
/// own, so the fetchers of a busy deployment spread over its workers and each one runs on one node at a time.
struct SourcesRole: Service {
    let fetchers: [SourceFetcher]
    /// Shut down once every fetcher has stopped.
    let client: HTTPClient?

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for fetcher in fetchers { group.addTask { await fetcher.run() } }
            }
        }
        try? await client?.shutdown()
    }
}
