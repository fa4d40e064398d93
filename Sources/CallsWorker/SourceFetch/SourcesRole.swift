import AsyncHTTPClient
import ServiceLifecycle

/// The worker's `sources` role: one fetcher per (source, collection), each competing for a lease of its
/// own, so the fetchers of a busy deployment spread over its workers and each one runs on one node at a time.
struct SourcesRole: Service {
    /// (source, collection) of every fetcher, in the order they are made.
    let fetchers: [String]
    let timeout: Duration
    /// Made when the role runs: an HTTP client must be shut down once made, which a role built but never run
    /// would not do.
    let makeFetchers: @Sendable (HTTPClient) -> [SourceFetcher]

    func run() async throws {
        let client = HTTPSourcePages.makeClient(timeout: timeout)
        let fetchers = makeFetchers(client)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for fetcher in fetchers { group.addTask { await fetcher.run() } }
            }
        }
        try? await client.shutdown()
    }
}
