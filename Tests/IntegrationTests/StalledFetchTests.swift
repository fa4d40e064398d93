import AudioAnalysis
import CallsCore
import CallsStore
@testable import CallsWorker
import Foundation
import HummingbirdTesting
import JobQueue
import NIOPosix
import Observability
import PostgresNIO
import Prometheus
import RecordingStorage
import TestSupport
import Testing

extension IntegrationSuite {
    @Suite struct StalledFetchTests {
        /// Redis accepts the fetch connections and never answers: the worker must say so rather than look idle.
        @Test func fetchesRedisNeverAnswersMakeTheWorkerUnready() async throws {
            try await Stack.withMigrated { stack, url in
                let silent = try SilentListener()
                let (redis, queue) = stack.makeQueue()
                let pool = NIOThreadPool(numberOfThreads: 1)
                pool.start()
                try await TestServices.withPostgres(url) { postgres in
                    let leases = PostgresAnalysisLeases(client: postgres, logger: TestServices.logger, queueingArchive: false)
                    let worker = "silent-fetches"
                    let watchdog = FetchWatchdog(threshold: .seconds(1))
                    let service = WorkerService(
                        worker: worker, concurrency: 2, queue: queue,
                        makeFetcher: { _ in
                            JobFetcher(
                                client: RedisClient(url: RedisURL(host: "127.0.0.1", port: silent.port)), keys: queue.keys, worker: worker)
                        },
                        handler: AnalysisJobHandler(
                            leases: leases, store: try LocalRecordingStore(root: stack.recordings.path, ioPool: pool),
                            analyzer: AudioAnalyzer(), worker: worker, leaseSeconds: 30, maxAttempts: 1,
                            analysisPool: pool, logger: TestServices.logger),
                        retryPolicy: RetryPolicy(base: .milliseconds(10), maxDeliveries: 1),
                        watchdog: watchdog, logger: TestServices.logger)
                    let listener = WorkerHTTPListener.make(
                        host: "127.0.0.1", port: 0,
                        exporter: MetricsExporter(
                            registry: testMetricsRegistry, queue: queue, workers: WorkerRegistry(client: redis, keys: queue.keys),
                            keeper: PostgresLeaseKeeper(client: postgres, logger: TestServices.logger)),
                        keeper: PostgresLeaseKeeper(client: postgres, logger: TestServices.logger), queue: queue, watchdog: watchdog)

                    try await listener.test(.router) { client in
                        try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
                        let running = Task { try await service.run() }
                        #expect(try await waitUntil(within: 5) { watchdog.stalls().count == 2 })
                        try await client.execute(uri: "/readyz", method: .get) { response in
                            #expect(response.status == .serviceUnavailable)
                            #expect(String(buffer: response.body).contains("Redis has not answered job fetches: slot 0"))
                        }
                        #expect(
                            try await waitUntil(within: 3) {
                                testMetricsRegistry.emitToString().contains("calls_worker_stalled_fetch_slots 2")
                            })
                        running.cancel()
                        try await running.value
                    }
                }
                try await pool.shutdownGracefully()
                await redis.shutdown()
            }
        }
    }
}
