import CallsCore
import CallsStore
import Foundation
import JobQueue
import Testing
import TestSupport

extension IntegrationSuite {
    /// Two real `calls-worker` processes with the `sources` role on one source: each (source, collection) is
    /// fetched by one of them at a time, and when the one fetching is killed the other goes on from its cursor.
    @Suite struct SourceFetcherProcessTests {
        @Test func twoWorkersNeverFetchOneCollectionAtOnceAndASurvivorFinishes() async throws {
            let items = SourceDataSet.make()
            // Long enough per page that two fetchers of one collection at once would overlap on the server.
            let fake = FakeSource(items: items, pageDelay: .milliseconds(30))
            try await Stack.withMigrated { stack, url in
                try await fake.serving { base in
                    let settings = [
                        "CALLS_WORKER_ROLES": "sources", "CALLS_SOURCES": "fake=\(base.absoluteString)", "CALLS_SOURCE_PAGE_SIZE": "1",
                        "CALLS_SOURCE_POLL_SECONDS": "1", "CALLS_SOURCE_TIMEOUT_SECONDS": "2",
                    ]
                    let workers = try (0..<2).map { _ in
                        try SpawnedWorker(stack: stack, logDirectory: stack.recordings.path, settings: settings)
                    }
                    let redis = RedisClient(url: stack.worker.queue.redis)
                    try await TestServices.withPostgres(url) { postgres in
                        let store = PostgresSourceStore(client: postgres, logger: TestServices.logger)
                        try await expectEventually("some calls in", within: 60) {
                            try await store.statuses().contains { $0.collection == "calls" && $0.itemsFetched >= 5 }
                        }
                        // Kill whichever holds the calls fetcher's lease (its worker id carries its PID).
                        let key = "{\(stack.worker.queue.name):sources}:lease:fake:calls"
                        let holder = try await redis.command("GET", key).string ?? ""
                        let victim = try #require(workers.first { holder.contains("-\($0.process.pid)-") }, "lease held by \(holder)")
                        let survivor = workers.first { $0 !== victim }!
                        #expect(!(try await SourceDataSet.allIn(items, store)), "killed mid-way")
                        await victim.process.stop(signal: SIGKILL)
                        try await expectEventually("every cursor at its last id", within: 90) {
                            try await SourceDataSet.allIn(items, store)
                        }
                        #expect(fake.maxInFlight.values.allSatisfy { $0 == 1 }, "\(fake.maxInFlight)")
                        for status in try await store.statuses() {
                            #expect(
                                status.itemsFetched == Int64(items[SourceCollection(rawValue: status.collection)!]!.count),
                                "\(status.collection)")
                        }
                        let calls = try await postgres.query("SELECT count(*)::int FROM calls", logger: TestServices.logger).decode(
                            Int.self
                        ).collectAll()
                        #expect(calls == [SourceDataSet.callCount])
                        let metrics = try await survivor.metrics()
                        #expect(metrics.contains(#"calls_source_items_total{source="fake",collection="calls"}"#), "\(metrics)")
                        #expect(
                            metrics.contains(
                                #"calls_source_cursor{source="fake",collection="calls"} \#(1000 + 3 * (SourceDataSet.callCount - 1))"#))
                        // Caught up: no lag on any collection (the survivor now runs all four).
                        try await expectEventually("no lag once caught up", within: 20) {
                            let text = try await survivor.metrics()
                            return SourceCollection.allCases.allSatisfy {
                                text.contains(#"calls_source_lag_seconds{source="fake",collection="\#($0.rawValue)"} 0.0"#)
                            }
                        }
                        // A clean stop gives the leases up at once rather than after their time.
                        survivor.signal(SIGTERM)
                        #expect(await survivor.process.waitForExit() == 0, "\(survivor.log)")
                        for collection in SourceCollection.allCases {
                            let lease = "{\(stack.worker.queue.name):sources}:lease:fake:\(collection.rawValue)"
                            #expect(try await redis.command("GET", lease).string == nil, "\(collection)")
                        }
                    }
                    await redis.shutdown()
                    for worker in workers { await worker.process.stop(signal: SIGKILL) }
                }
            }
        }
    }
}
