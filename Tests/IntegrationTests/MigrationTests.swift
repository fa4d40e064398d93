import CallsAPI
import CallsStore
import HummingbirdTesting
import Testing

extension IntegrationSuite {
    @Suite struct MigrationTests {
        @Test func migratesOnceAndThenIsANoOp() async throws {
            try await TestServices.withFreshDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    let migrator = try Migrator(client: client, directory: "migrations", logger: TestServices.logger)
                    await #expect(throws: Migrator.MigrationError.self) { try await migrator.verifyUpToDate() }
                    #expect(try await migrator.migrate() == ["0001_init"])
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
                #expect(applied == ["0001_init"])
            }
        }

        @Test func serveRefusesAnUnmigratedDatabase() async throws {
            try await TestServices.withFreshDatabase { url in
                let stack = try Stack.make(database: url)
                defer { stack.recordings.remove() }
                let app = try buildApplication(configuration: stack.configuration, migrations: .require, logger: TestServices.logger)
                await #expect {
                    try await app.test(.router) { _ in Issue.record("the API started on an unmigrated database") }
                } throws: { error in
                    if case .pending(["0001_init"]) = error as? Migrator.MigrationError { return true }
                    return false
                }
            }
        }
    }
}
