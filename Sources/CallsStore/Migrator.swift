import Crypto
import Foundation
import Logging
import PostgresNIO

/// Applies `migrations/NNNN_name.sql` in order, each exactly once, recorded with its checksum in
/// `schema_migrations`. A session advisory lock makes concurrent `migrate` runs (several containers starting
/// at once) take turns instead of racing.
public struct Migrator: Sendable {
    public struct Migration: Sendable, Equatable {
        public var version: String
        public var sql: String
        public var checksum: String
    }

    public enum MigrationError: Error, CustomStringConvertible {
        case unreadableDirectory(String, String)
        case badFileName(String)
        case changedAfterApply(String)
        case failed(String, String)
        case pending([String])

        public var description: String {
            switch self {
            case .unreadableDirectory(let path, let reason): "cannot read migrations from \(path): \(reason)"
            case .badFileName(let name): "migration file \(name) must be named NNNN_description.sql"
            case .changedAfterApply(let version): "migration \(version) was changed after it was applied"
            case .failed(let version, let reason): "migration \(version) failed: \(reason)"
            case .pending(let versions):
                "the database is not migrated (pending: \(versions.joined(separator: ", "))); run `calls-api migrate` or start with --migrate"
            }
        }
    }

    /// An arbitrary constant shared by every instance of the service.
    static let lockKey: Int64 = 0x63_616c_6c73  // "calls"

    public let migrations: [Migration]
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, directory: String, logger: Logger) throws {
        self.client = client
        self.logger = logger
        self.migrations = try Self.load(directory: directory)
    }

    static func load(directory: String) throws -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sql") }.sorted()
        } catch {
            throw MigrationError.unreadableDirectory(directory, "\(error.localizedDescription)")
        }
        return try names.map { name in
            let version = String(name.dropLast(4))
            let valid =
                version.count > 5 && version.prefix(4).allSatisfy(\.isNumber)
                && version.dropFirst(4).first == "_"
                && version.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
            guard valid else { throw MigrationError.badFileName(name) }
            let sql = try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)
            let checksum = SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
            return Migration(version: version, sql: sql, checksum: checksum)
        }
    }

    /// Applies what is pending; returns the versions applied now (empty when already up to date).
    @discardableResult
    public func migrate() async throws -> [String] {
        try await client.withConnection { connection in
            // A migration, and the wait for another node's, may rightly outlast the statement timeout of the
            // client it runs on (the API's); RESET gives the pooled connection its own timeout back.
            _ = try await connection.query("SET statement_timeout = 0", logger: logger)
            _ = try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                let applied = try await appliedChecksums(connection)
                var done: [String] = []
                for migration in try pending(given: applied) {
                    logger.info("applying migration", metadata: ["version": "\(migration.version)"])
                    do {
                        try await connection.withTransaction(logger: logger) { transaction in
                            for statement in SQLScript.statements(migration.sql) {
                                _ = try await transaction.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                            }
                            _ = try await transaction.query(
                                """
                                INSERT INTO schema_migrations (version, checksum)
                                VALUES (\(migration.version), \(migration.checksum))
                                """, logger: logger)
                        }
                    } catch {
                        throw MigrationError.failed(migration.version, String(reflecting: error))
                    }
                    done.append(migration.version)
                }
                _ = try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                _ = try await connection.query("RESET statement_timeout", logger: logger)
                return done
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                _ = try? await connection.query("RESET statement_timeout", logger: logger)
                throw error
            }
        }
    }

    /// Throws `MigrationError.pending` unless every migration file has been applied unchanged.
    public func verifyUpToDate() async throws {
        let applied = try await client.withConnection { try await appliedChecksums($0) }
        let missing = try pending(given: applied).map(\.version)
        if !missing.isEmpty { throw MigrationError.pending(missing) }
    }

    private func pending(given applied: [String: String]) throws -> [Migration] {
        try migrations.filter { migration in
            guard let checksum = applied[migration.version] else { return true }
            guard checksum == migration.checksum else { throw MigrationError.changedAfterApply(migration.version) }
            return false
        }
    }

    private func appliedChecksums(_ connection: PostgresConnection) async throws -> [String: String] {
        _ = try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    text        PRIMARY KEY,
                checksum   text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, logger: logger)
        var applied: [String: String] = [:]
        for try await (version, checksum) in try await connection.query(
            "SELECT version, checksum FROM schema_migrations", logger: logger
        ).decode((String, String).self) {
            applied[version] = checksum
        }
        return applied
    }
}
