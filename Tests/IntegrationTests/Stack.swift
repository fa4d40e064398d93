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
    var configuration: CallsConfiguration
    let recordings: TemporaryDirectory

    static func make(database: DatabaseURL, redis: RedisURL? = nil) throws -> Stack {
        var configuration = CallsConfiguration(database: database, redis: try redis ?? TestServices.redisURL(), workerConcurrency: 2)
        configuration.httpPort = 0
        configuration.queueName = "test-" + UUID().uuidString.lowercased().prefix(8)
        configuration.retryBaseMilliseconds = 50
        // API keys have tests of their own (APIKeyTests); the rest are about other things.
        configuration.access = .open
        let recordings = try TemporaryDirectory()
        configuration.recordingsDirectory = recordings.path
        return Stack(configuration: configuration, recordings: recordings)
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
        let client = RedisClient(url: configuration.redis)
        return (client, RedisJobQueue(client: client, keys: QueueKeys(name: configuration.queueName)))
    }

    /// Runs `body` against the live API.
    func withAPI(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = try buildApplication(configuration: configuration, migrations: .require, logger: TestServices.logger)
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
        let worker = try WorkerProcess(
            configuration: configuration, logger: TestServices.logger, worker: id, timing: timing,
            metricsRegistry: metricsRegistry)
        let group = ServiceGroup(services: worker.services, logger: TestServices.logger)
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            do {
                let result = try await body()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                await worker.releaseResources()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                await worker.releaseResources()
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
                stack.configuration.storage = .s3(bucket.settings)
                bucketClient = bucket.client
            }
            return try await body(stack, url, bucketClient)
        }
    }
}
