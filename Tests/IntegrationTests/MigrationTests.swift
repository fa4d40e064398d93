import CallsAPI
@testable import CallsStore
import HummingbirdTesting
import Testing

extension IntegrationSuite {
    @Suite struct MigrationTests {
        /// Every migration in the repository, in order.
        static func all() throws -> [String] { try Migrator.load(directory: "migrations").map(\.version) }

        @Test func migratesOnceAndThenIsANoOp() async throws {
            try await TestServices.withFreshDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    let migrator = try Migrator(client: client, directory: "migrations", logger: TestServices.logger)
                    await #expect(throws: Migrator.MigrationError.self) { try await migrator.verifyUpToDate() }
                    #expect(try await migrator.migrate() == Self.all())
                    #expect(try await migrator.migrate() == [])
                    try await migrator.verifyUpToDate()
                }
            }
        }

        @Test func concurrentMigrationsApplyEachFileOnce() async throws {
            try await TestServices.withFreshDatabase { url in
                let applied = try await withThrowingTaskGroup(of: [String].self) { group in
                    for _ in 0..<3 {
                        group.addTask {
                            try await TestServices.withPostgres(url) { client in
                                try await Migrator(client: client, directory: "migrations", logger: TestServices.logger).migrate()
                            }
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                #expect(applied == (try Self.all()), "each file once, whichever migrator applied it")
            }
        }

        @Test func serveRefusesAnUnmigratedDatabase() async throws {
            try await TestServices.withFreshDatabase { url in
                let stack = try Stack.make(database: url)
                defer { stack.recordings.remove() }
                let app = try buildApplication(configuration: stack.api, migrations: .require, logger: TestServices.logger)
                await #expect {
                    try await app.test(.router) { _ in Issue.record("the API started on an unmigrated database") }
                } throws: { error in
                    if case .pending(let pending) = error as? Migrator.MigrationError { return pending == (try? Self.all()) }
                    return false
                }
            }
        }
    }
}
