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
        _ database: DatabaseURL, logger: Logger, _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
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
