@testable import CallsStore
import PostgresNIO
import TestSupport
import Testing

extension IntegrationSuite {
    /// The database deadline bounds a repository method as a whole: statements run in `bounded` share one
    /// deadline instead of each having its own (six statements must not wait six times as long).
    @Suite struct DatabaseClientDeadlineTests {
        @Test func statementsInBoundedShareOneDeadline() async throws {
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { postgres in
                    let client = DatabaseClient(postgres, deadline: .seconds(3))
                    let logger = TestServices.logger
                    // Each statement alone is well inside the deadline.
                    _ = try await client.query("SELECT pg_sleep(1.2)", logger: logger)
                    await #expect(throws: DatabaseTimeout.self) {
                        try await client.bounded {
                            for _ in 0..<3 { _ = try await client.query("SELECT pg_sleep(1.2)", logger: logger) }
                        }
                    }
                    // Outside `bounded`, each statement has its own deadline again.
                    for _ in 0..<3 { _ = try await client.query("SELECT pg_sleep(1.2)", logger: logger) }
                }
            }
        }
    }
}
