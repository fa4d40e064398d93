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

/// Options every subcommand shares: flags take the place of their `CALLS_*` variables, as typed values.
struct CommonOptions: ParsableArguments {
    @Option(help: "PostgreSQL URL (overrides CALLS_DATABASE_URL).", transform: { try DatabaseURL(parsing: $0) })
    var databaseURL: DatabaseURL?

    @Option(help: "Directory of NNNN_name.sql migrations (overrides CALLS_MIGRATIONS_DIR).")
    var migrationsDir: String?

    /// The database `migrate` and `keys` work on: the flag's, or `CALLS_DATABASE_URL`.
    func database(_ environment: EnvironmentVariables) throws -> DatabaseURL {
        if let databaseURL { return databaseURL }
        do {
            return try environment.databaseURL("CALLS_DATABASE_URL")
        } catch {
            throw ValidationError("configuration: \(error)")
        }
    }

    func migrationsDirectory(_ environment: EnvironmentVariables) -> String {
        migrationsDir ?? environment.string("CALLS_MIGRATIONS_DIR", default: "migrations")
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
        let configuration: APIConfiguration
        do {
            configuration = try APIConfiguration(
                environment: StartupSettings.environment(),
                flags: .init(database: common.databaseURL, migrationsDirectory: common.migrationsDir, httpHost: host, httpPort: port))
        } catch {
            throw ValidationError("configuration: \(error)")
        }
        StartupSettings.returnLargeBuffersToTheSystem()
        let logger = StartupSettings.bootstrapLogging(level: configuration.log.level, format: configuration.log.format)
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
        let environment = StartupSettings.environment()
        let logger = DatabaseSession.logger(environment)
        let directory = common.migrationsDirectory(environment)
        try await DatabaseSession.run(try common.database(environment), logger: logger) { client in
            let applied = try await Migrator(client: client, directory: directory, logger: logger).migrate()
            print(applied.isEmpty ? "database is up to date" : "applied \(applied.joined(separator: ", "))")
        }
    }
}
