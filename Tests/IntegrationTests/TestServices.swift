import CallsCore
import CallsStore
import Foundation
import Logging
import PostgresNIO
import TestSupport
import Testing

/// The real PostgreSQL and Redis that `make test` starts, found through `CALLS_TEST_DATABASE_URL` and
/// `CALLS_TEST_REDIS_URL`. Outside CI the integration tests skip themselves when those are unset; under
/// `CI=true` they run and fail loudly instead.
enum TestServices {
    static let environment = ProcessInfo.processInfo.environment

    static var configured: Bool {
        environment["CALLS_TEST_DATABASE_URL"] != nil && environment["CALLS_TEST_REDIS_URL"] != nil
    }

    static var mustRun: Bool { configured || environment["CI"] == "true" }

    static func databaseURL() throws -> DatabaseURL {
        guard let text = environment["CALLS_TEST_DATABASE_URL"], let url = DatabaseURL(string: text) else {
            throw SetupError("CALLS_TEST_DATABASE_URL is not set: run the suite with `make test`")
        }
        return url
    }

    static func redisURL() throws -> RedisURL {
        guard let text = environment["CALLS_TEST_REDIS_URL"], let url = RedisURL(string: text) else {
            throw SetupError("CALLS_TEST_REDIS_URL is not set: run the suite with `make test`")
        }
        return url
    }

    static let logger: Logger = {
        var logger = Logger(label: "integration")
        logger.logLevel = environment["CALLS_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }()

    /// Runs `body` with a database of its own, created empty and dropped afterwards.
    static func withFreshDatabase<T: Sendable>(_ body: @Sendable (DatabaseURL) async throws -> T) async throws -> T {
        let admin = try databaseURL()
        let name = "calls_it_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        var fresh = admin
        fresh.database = name
        try await withPostgres(admin) { client in
            _ = try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        do {
            let result = try await body(fresh)
            try await drop(fresh.database, via: admin)
            return result
        } catch {
            try? await drop(fresh.database, via: admin)
            throw error
        }
    }

    private static func drop(_ database: String, via admin: DatabaseURL) async throws {
        try await withPostgres(admin) { client in
            _ = try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(database) WITH (FORCE)"), logger: logger)
        }
    }

    /// A running client for the length of `body`.
    static func withPostgres<T: Sendable>(_ url: DatabaseURL, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        var quiet = logger
        quiet.logLevel = .error  // run() starts concurrently with the first query; PostgresNIO warns about that
        let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: quiet)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// A migrated database of its own.
    static func withMigratedDatabase<T: Sendable>(_ body: @Sendable (DatabaseURL) async throws -> T) async throws -> T {
        try await withFreshDatabase { url in
            _ = try await withPostgres(url) { client in
                try await Migrator(client: client, directory: "migrations", logger: logger).migrate()
            }
            return try await body(url)
        }
    }
}

/// The integration tests' name for a failed setup step (one type with the route tests').
typealias SetupError = TestSetupError
