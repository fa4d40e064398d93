@testable import CallsStore
import PostgresNIO
import TestSupport
import Testing

extension IntegrationSuite {
    /// A statement that changes data returns only once committed. PostgresNIO ends a statement at its
    /// CommandComplete, before the commit of a statement outside a transaction: a commit that then fails went
    /// unseen. A deferred constraint fails exactly there, at the commit, every time; the same gap let a
    /// PostgreSQL shutdown roll back an activity batch whose entries the consumer had already acknowledged.
    @Suite struct DatabaseClientCommitTests {
        @Test func aWriteWhoseCommitFailsThrowsAndLeavesNothing() async throws {
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { postgres in
                    let client = DatabaseClient(postgres)
                    let logger = TestServices.logger
                    try await client.query(
                        "CREATE TABLE commit_probe (id int, CONSTRAINT commit_probe_once UNIQUE (id) DEFERRABLE INITIALLY DEFERRED)",
                        logger: logger)
                    try await client.query("INSERT INTO commit_probe VALUES (1)", logger: logger)
                    let error = await #expect(throws: PSQLError.self) {
                        try await client.query("INSERT INTO commit_probe VALUES (1), (2) RETURNING id", logger: logger)
                    }
                    #expect(error?.serverInfo?[.sqlState] == "23505", "the commit's own error, unwrapped: \(String(reflecting: error))")
                    let rows = try await client.query("SELECT count(*)::int8 FROM commit_probe", logger: logger)
                    var count: Int64 = -1
                    for try await value in rows.decode(Int64.self) { count = value }
                    #expect(count == 1, "the failed statement left nothing")
                }
            }
        }
    }
}
