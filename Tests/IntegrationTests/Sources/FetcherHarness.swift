import AsyncHTTPClient
import CallsCore
import CallsStore
@testable import CallsWorker
import EventBus
import Foundation
import JobQueue
import PostgresNIO
import TestSupport

/// Fetchers of one source, all four collections, run in this process at test speed.
struct FetcherHarness: Sendable {
    let base: URL
    let store: PostgresSourceStore
    let redis: RedisClient
    let namespace: String
    var pageSize: Int
    var timing: SourceTiming
    let client: HTTPClient
    let source = "fake"

    static func timing(timeout: Duration = .seconds(1)) -> SourceTiming {
        var timing = SourceTiming(SourceSettings())
        timing.timeout = timeout
        timing.poll = .milliseconds(50)
        timing.backoffBase = .milliseconds(10)
        timing.backoffCap = .milliseconds(200)
        timing.standbyPoll = .milliseconds(50)
        timing.leaseTTL = .seconds(10)
        return timing
    }

    func fetchers(owner: String) -> [SourceFetcher] {
        SourceCollection.allCases.map { collection in
            SourceFetcher(
                source: source, collection: collection, pages: HTTPSourcePages(base: base, timeout: timing.timeout, client: client),
                store: store, lease: StreamLease(redis: redis, key: "{\(namespace):sources}:lease:\(source):\(collection.rawValue)"),
                owner: owner, pageSize: pageSize, timing: timing, logger: TestServices.logger)
        }
    }

    /// Runs the fetchers while `body` runs, then stops them as a shutdown does (cancelled, lease released).
    func running<T: Sendable>(owner: String = "w-\(UUID().uuidString.prefix(6))", _ body: @Sendable () async throws -> T) async throws -> T
    {
        let fetchers = fetchers(owner: owner)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for fetcher in fetchers { group.addTask { await fetcher.run() } }
            let result = try await body()
            group.cancelAll()
            try await group.waitForAll()
            return result
        }
    }

    /// Whether every cursor stands at its collection's last id.
    func allIn(_ items: [SourceCollection: [SourceJSON]]) async throws -> Bool {
        try await SourceDataSet.allIn(items, store)
    }

    /// Runs `body` with a harness over a migrated database, Redis and the fake source.
    static func with(
        _ fake: FakeSource, pageSize: Int, timing: SourceTiming = FetcherHarness.timing(),
        _ body: @Sendable (FetcherHarness, PostgresClient) async throws -> Void
    ) async throws {
        try await TestServices.withMigratedDatabase { url in
            try await TestServices.withPostgres(url) { postgres in
                let redis = RedisClient(url: try TestServices.redisURL())
                let client = HTTPSourcePages.makeClient(timeout: timing.timeout)
                do {
                    try await fake.serving { base in
                        let harness = FetcherHarness(
                            base: base, store: PostgresSourceStore(client: postgres, logger: TestServices.logger), redis: redis,
                            namespace: "test-" + UUID().uuidString.prefix(8).lowercased(), pageSize: pageSize, timing: timing,
                            client: client)
                        try await body(harness, postgres)
                    }
                } catch {
                    try? await client.shutdown()
                    await redis.shutdown()
                    throw error
                }
                try await client.shutdown()
                await redis.shutdown()
            }
        }
    }
}
