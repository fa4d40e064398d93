import CallsAPI
import CallsCore
import CallsWorker
import Foundation
import Hummingbird
import HummingbirdTesting
import JobQueue
import Prometheus
import S3Client
import Testing
import Logging
import ServiceLifecycle
import TestSupport

/// One API (the production `buildApplication`, on a real socket) and its settings, over a migrated database
/// of its own, a Redis queue namespace of its own and a temporary recordings directory.
struct Stack: Sendable {
    var api: APIConfiguration
    var worker: WorkerConfiguration
    let recordings: TemporaryDirectory

    static func make(database: DatabaseURL, redis: RedisURL? = nil) throws -> Stack {
        let redis = try redis ?? TestServices.redisURL()
        var api = APIConfiguration(database: database, redis: redis)
        var worker = WorkerConfiguration(database: database, redis: redis, concurrency: 2)
        api.httpPort = 0
        api.queue.name = "test-" + UUID().uuidString.lowercased().prefix(8)
        worker.queue = api.queue
        worker.retryBaseMilliseconds = 50
        // API keys have tests of their own (APIKeyTests); the rest are about other things.
        api.access = .open
        let recordings = try TemporaryDirectory()
        api.recordings.directory = recordings.path
        worker.recordings = api.recordings
        return Stack(api: api, worker: worker, recordings: recordings)
    }

    /// Callback settings, which the API and the worker share.
    var callbacks: CallbackPolicy? {
        get { api.callbacks }
        set {
            api.callbacks = newValue
            worker.callbacks = newValue
        }
    }

    /// Where the recordings are, for the API and the worker alike.
    var recordingStorage: RecordingsSettings {
        get { api.recordings }
        set {
            api.recordings = newValue
            worker.recordings = newValue
        }
    }

    /// A stack over a migrated database of its own, removed with its recordings afterwards.
    static func withMigrated<T: Sendable>(
        redis: RedisURL? = nil, _ body: @Sendable (Stack, DatabaseURL) async throws -> T
    ) async throws -> T {
        try await TestServices.withMigratedDatabase { url in
            let stack = try Stack.make(database: url, redis: redis)
            defer { stack.recordings.remove() }
            return try await body(stack, url)
        }
    }

    /// The stack's Redis queue on a connection of its own; shut the client down after use.
    func makeQueue() -> (RedisClient, RedisJobQueue) {
        let client = RedisClient(url: api.queue.redis)
        return (client, RedisJobQueue(client: client, keys: QueueKeys(name: api.queue.name)))
    }

    /// Runs `body` against the live API.
    func withAPI(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = try buildApplication(configuration: api, migrations: .require, logger: TestServices.logger)
        try await app.test(.live, body)
    }

    /// Background duties at test speed: the production values would make recovery tests wait minutes.
    static var fastTiming: WorkerTiming {
        var timing = WorkerTiming(heartbeatTTL: .seconds(1))
        timing.unclaimedGrace = .seconds(1)
        return timing
    }

    /// Runs a worker process's services for the length of `body`, then shuts it down gracefully.
    func withWorker<T: Sendable>(
        id: String = WorkerProcess.makeWorkerID(), timing: WorkerTiming = Stack.fastTiming,
        metricsRegistry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        _ body: @Sendable () async throws -> T
    ) async throws -> T {
        let process = try buildWorker(
            configuration: worker, logger: TestServices.logger, worker: id, timing: timing, metricsRegistry: metricsRegistry)
        // The production services, but with no signal handlers: the test stops them.
        let group = ServiceGroup(services: [process.service(logger: TestServices.logger)], logger: TestServices.logger)
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            do {
                let result = try await body()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}

/// Where a test's recordings live, for tests that run against both stores.
enum TestStorage: String, CaseIterable, CustomTestStringConvertible {
    case local, s3
    var testDescription: String { rawValue }
}

extension Stack {
    /// A migrated stack whose recordings live in `storage`: for S3 a fresh bucket, whose client `body` gets
    /// to look inside it.
    static func withMigrated<T: Sendable>(
        storage: TestStorage, _ body: @Sendable (Stack, DatabaseURL, S3Client?) async throws -> T
    ) async throws -> T {
        try await withMigrated { plainStack, url in
            var stack = plainStack
            var bucketClient: S3Client?
            if storage == .s3 {
                let bucket = try await TestBucket.make()
                stack.recordingStorage.storage = .s3(bucket.settings)
                bucketClient = bucket.client
            }
            return try await body(stack, url, bucketClient)
        }
    }
}
