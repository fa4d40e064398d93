import ArgumentParser
import CallsAPI
import CallsCore
import CallsStore
import Logging
import PostgresNIO
import ServiceStartup

/// A PostgreSQL client running for the length of one command (`migrate`, `keys`).
enum DatabaseSession {
    static func run<T: Sendable>(
        _ environment: EnvironmentVariables, logger: Logger, _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        guard let url = environment.value("CALLS_DATABASE_URL") else {
            throw ValidationError("CALLS_DATABASE_URL is not set (expected e.g. postgres://calls:secret@127.0.0.1:5432/calls)")
        }
        let database: DatabaseURL
        do {
            database = try DatabaseURL(parsing: url)
        } catch {
            throw ValidationError("CALLS_DATABASE_URL \(error.message)")
        }
        // The client is used before its run() task is scheduled, which it reports as a warning; nothing is wrong.
        var backgroundLogger = logger
        backgroundLogger.logLevel = .error
        let client = PostgresClient(configuration: database.clientConfiguration, backgroundLogger: backgroundLogger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    static func logger(_ environment: EnvironmentVariables) -> Logger {
        let format = (try? LogFormat(environment: environment)) ?? .json
        return StartupSettings.bootstrapLogging(level: environment.string("CALLS_LOG_LEVEL", default: "info"), format: format)
    }
}
