import ArgumentParser
import CallsCore
import CallsStore
import Foundation
import PostgresNIO
import ServiceStartup

/// `calls-api keys`: API keys are made, listed and revoked by whoever can reach the database, not over HTTP,
/// so no key is needed to make the first key.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke API keys.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API key; prints it once, alone on the last line. Only its hash is stored.")

        @OptionGroup var common: CommonOptions

        @Option(help: "read, write or admin. Each includes the ones before it.")
        var role: APIRole

        @Option(help: "What the key is for, shown by `keys list`.")
        var name = ""

        func run() async throws {
            let (key, token) = try await withKeys(common) { try await $0.create(role: role, name: name) }
            print("created API key \(key.id.lowercasedString) with role \(key.role.rawValue)\(key.name.isEmpty ? "" : " (\(key.name))")")
            print("it is shown only this once; store it now:")
            print(token.text)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every API key, newest first (never the keys themselves).")

        @OptionGroup var common: CommonOptions

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() async throws {
            let keys = try await withKeys(common) { try await $0.list() }
            if json {
                print(String(decoding: try JSONCoding.makeEncoder().encode(keys.map(KeySummary.init)), as: UTF8.self))
                return
            }
            let rows =
                [["ID", "ROLE", "CREATED", "LAST USED", "REVOKED", "NAME"]]
                + keys.map { key in
                    [
                        key.id.lowercasedString, key.role.rawValue, Timestamp.format(key.createdAt),
                        key.lastUsedAt.map(Timestamp.format) ?? "-", key.revokedAt.map(Timestamp.format) ?? "-", key.name,
                    ]
                }
            let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                print(
                    zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                        .trimmingCharacters(in: .whitespaces))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke an API key. Every API node refuses it within 5 seconds.")

        @OptionGroup var common: CommonOptions

        @Argument(help: "The key's id, as `keys list` shows it.")
        var id: String

        func run() async throws {
            guard let uuid = UUID(uuidString: id) else { throw ValidationError("'\(id)' is not a key id (a UUID, as `keys list` shows)") }
            guard let key = try await withKeys(common, { try await $0.revoke(id: uuid) }) else {
                throw KeyNotFound(id: id)
            }
            print("revoked API key \(key.id.lowercasedString) (role \(key.role.rawValue)) at \(Timestamp.format(key.revokedAt ?? Date()))")
        }
    }

    struct KeyNotFound: Error, CustomStringConvertible {
        var id: String
        var description: String { "no API key has the id \(id)" }
    }

    /// What `keys list --json` prints of a key.
    struct KeySummary: Encodable {
        var id: String
        var role: String
        var name: String
        var createdAt: Date
        var lastUsedAt: Date?
        var revokedAt: Date?

        init(_ key: StoredAPIKey) {
            id = key.id.lowercasedString
            role = key.role.rawValue
            name = key.name
            createdAt = key.createdAt
            lastUsedAt = key.lastUsedAt
            revokedAt = key.revokedAt
        }
    }
}

extension APIRole: ExpressibleByArgument {}

/// Runs `body` over the keys of the migrated database (refusing one with migrations pending).
private func withKeys<T: Sendable>(
    _ common: CommonOptions, _ body: @Sendable (PostgresAPIKeyRepository) async throws -> T
) async throws -> T {
    let environment = StartupSettings.environment()
    let logger = DatabaseSession.logger(environment)
    let directory = common.migrationsDirectory(environment)
    return try await DatabaseSession.run(try common.database(environment), logger: logger) { client in
        try await Migrator(client: client, directory: directory, logger: logger).verifyUpToDate()
        return try await body(PostgresAPIKeyRepository(client: client, logger: logger))
    }
}
