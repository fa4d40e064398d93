import ArgumentParser
import CallsAPI
import CallsCore
import CallsStore
import Foundation
import Hummingbird
import Logging
import Observability
import PostgresNIO
import ServiceStartup

@main
struct CallsAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calls-api",
        abstract: "The Calls Service HTTP API.",
        subcommands: [Serve.self, Migrate.self, Keys.self],
        defaultSubcommand: Serve.self
    )
}

/// Options every subcommand shares: flags override `CALLS_*` variables.
struct CommonOptions: ParsableArguments {
    @Option(help: "PostgreSQL URL (overrides CALLS_DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "Directory of NNNN_name.sql migrations (overrides CALLS_MIGRATIONS_DIR).")
    var migrationsDir: String?

    func environment() -> EnvironmentVariables {
        var environment = StartupSettings.environment()
        if let databaseURL { environment.values["CALLS_DATABASE_URL"] = databaseURL }
        if let migrationsDir { environment.values["CALLS_MIGRATIONS_DIR"] = migrationsDir }
        return environment
    }
}

func loadConfiguration(_ environment: EnvironmentVariables) throws -> CallsConfiguration {
    do {
        return try CallsConfiguration(environment: environment, processorCount: ProcessInfo.processInfo.activeProcessorCount)
    } catch {
        throw ValidationError("configuration: \(error)")
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the HTTP API.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Address to listen on (overrides CALLS_HTTP_HOST).")
    var host: String?

    @Option(help: "Port to listen on (overrides CALLS_HTTP_PORT).")
    var port: Int?

    @Flag(help: "Apply pending migrations before serving instead of refusing to start.")
    var migrate = false

    func run() async throws {
        var environment = common.environment()
        if let host { environment.values["CALLS_HTTP_HOST"] = host }
        if let port { environment.values["CALLS_HTTP_PORT"] = String(port) }
        let configuration = try loadConfiguration(environment)
        StartupSettings.returnLargeBuffersToTheSystem()
        let logger = StartupSettings.bootstrapLogging(level: configuration.logLevel, format: configuration.logFormat)
        let metrics = MetricsExporter.bootstrapMetricsSystem()
        let app = try buildApplication(
            configuration: configuration, migrations: migrate ? .apply : .require, logger: logger, metricsRegistry: metrics)
        try await app.runService()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let environment = common.environment()
        let logger = DatabaseSession.logger(environment)
        let directory = environment.string("CALLS_MIGRATIONS_DIR", default: "migrations")
        try await DatabaseSession.run(environment, logger: logger) { client in
            let applied = try await Migrator(client: client, directory: directory, logger: logger).migrate()
            print(applied.isEmpty ? "database is up to date" : "applied \(applied.joined(separator: ", "))")
        }
    }
}
