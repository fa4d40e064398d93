@testable import CallsAPI
import CallsCore
import CallsStore
import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import JobQueue
import NIOCore
import PostgresNIO
import TestSupport
import Testing

extension IntegrationSuite {
    /// API keys on real PostgreSQL and rate limits on real Redis, through the production application and the
    /// `calls-api keys` command.
    @Suite struct APIKeyTests {
        @Test func keysAreStoredAsDigestsAndRevokedOnce() async throws {
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    let keys = PostgresAPIKeyRepository(client: client, logger: TestServices.logger)
                    let (created, token) = try await keys.create(role: .write, name: "ingest")
                    let (other, _) = try await keys.create(role: .read, name: "")
                    let stored = try await client.query(
                        "SELECT secret_sha256 FROM api_keys WHERE id = \(created.id)", logger: TestServices.logger
                    )
                    .decode(Data.self).collectAll()
                    #expect(stored == [Data(SHA256.hash(data: token.secret))])
                    #expect(try await keys.find(id: created.id) == created)
                    #expect(try await keys.list().map(\.id) == [other.id, created.id])

                    try await keys.markUsed(id: created.id)
                    #expect(try await keys.find(id: created.id)?.lastUsedAt != nil)
                    let revoked = try #require(try await keys.revoke(id: created.id)?.revokedAt)
                    #expect(try await keys.revoke(id: created.id)?.revokedAt == revoked)
                    #expect(try await keys.revoke(id: UUID()) == nil)
                    #expect(try await keys.find(id: UUID()) == nil)
                }
            }
        }

        @Test func theApplicationAsksForKeysAndRoles() async throws {
            try await Stack.withMigrated { plain, url in
                var stack = plain
                stack.api.access = AccessSettings(authentication: true, requestsPerSecond: 1000, burst: 1000)
                let (admin, write) = try await TestServices.withPostgres(url) { client in
                    let keys = PostgresAPIKeyRepository(client: client, logger: TestServices.logger)
                    return (
                        try await keys.create(role: .admin, name: "ops").1.text, try await keys.create(role: .write, name: "app").1.text
                    )
                }
                try await stack.withAPI { client in
                    try await client.expectStatus(.unauthorized, .get, "/calls")
                    try await client.expectStatus(.created, .post, "/calls", key: write, body: Self.newCall)
                    try await client.expectStatus(.forbidden, .get, "/admin/queue", key: write)
                    try await client.expectStatus(.forbidden, .get, "/admin/dead", key: write)
                    try await client.expectStatus(.forbidden, .post, "/admin/dead/\(UUID())/retry", key: write)
                    try await client.expectStatus(.ok, .get, "/admin/queue", key: admin)
                    try await client.expectStatus(.ok, .get, "/calls", key: admin)
                    try await client.expectStatus(.ok, .get, "/healthz")
                    try await client.expectStatus(.ok, .get, "/metrics")
                }
            }
        }

        @Test func aKeyOverItsRateIsRefusedOnEveryNode() async throws {
            try await Stack.withMigrated { plain, url in
                var limited = plain
                limited.api.access = AccessSettings(authentication: true, requestsPerSecond: 0.5, burst: 2)
                let stack = limited
                let key = try await TestServices.withPostgres(url) { client in
                    try await PostgresAPIKeyRepository(client: client, logger: TestServices.logger).create(role: .read, name: "").1.text
                }
                // Two API nodes over one Redis: the bucket is the key's, wherever the request lands.
                try await stack.withAPI { first in
                    try await stack.withAPI { second in
                        try await first.expectStatus(.ok, .get, "/calls", key: key)
                        try await second.expectStatus(.ok, .get, "/calls", key: key)
                        try await first.execute(uri: "/calls", method: .get, headers: [.authorization: "Bearer \(key)"]) { response in
                            #expect(response.status == .tooManyRequests)
                            // One token every 2 s: the next one is at most 2 s away.
                            #expect(["1", "2"].contains(response.headers[.retryAfter] ?? ""))
                            #expect(problemCode(response) == "rate_limited")
                        }
                        try await second.expectStatus(.tooManyRequests, .get, "/calls", key: key)
                    }
                }
            }
        }

        @Test func theTokenBucketRefillsAtItsRate() async throws {
            let redis = RedisClient(url: try TestServices.redisURL())
            let other = RedisClient(url: try TestServices.redisURL())
            let prefix = "test-\(UUID().uuidString.prefix(8)):rate:"
            let limiter = RedisRateLimiter(client: redis, prefix: prefix)
            let elsewhere = RedisRateLimiter(client: other, prefix: prefix)
            for _ in 0..<3 { #expect(try await limiter.take(key: "k", perSecond: 10, burst: 3) == .allowed) }
            let refused = try await elsewhere.take(key: "k", perSecond: 10, burst: 3)
            #expect(!refused.allowed)
            let wait = try #require(refused.retryAfter)
            #expect(wait > .zero && wait <= .milliseconds(100))
            #expect(try await limiter.take(key: "another", perSecond: 10, burst: 3) == .allowed)
            try await Task.sleep(for: wait + .milliseconds(20))
            #expect(try await elsewhere.take(key: "k", perSecond: 10, burst: 3) == .allowed)
            // An idle bucket expires once it would be full again, so idle keys hold no memory.
            let ttl = try #require(try await redis.command("PTTL", prefix + "k").integer)
            #expect(ttl > 0 && ttl <= 1300)
            await redis.shutdown()
            await other.shutdown()
        }

        @Test func theKeysCommandCreatesListsAndRevokes() async throws {
            try await TestServices.withMigratedDatabase { url in
                let created = try await Self.keysCommand(url, ["create", "--role", "write", "--name", "billing export"])
                #expect(created.status == 0)
                let lastLine = try #require(created.output.split(separator: "\n").last)
                let token = try #require(APIKeyToken(parsing: lastLine), "\(created.output)")

                let listed = try await Self.keysCommand(url, ["list", "--json"])
                // `keys list --json` writes the command's `KeySummary`, which lives in the executable target.
                struct ListedKey: Decodable {
                    var id: String
                    var role: String
                    var name: String
                    var createdAt: Date
                }
                let keys = try JSONBody(Data(listed.output.utf8)).decode([ListedKey].self)
                #expect(keys.count == 1)
                #expect(keys.first?.id == token.id.lowercasedString)
                #expect(keys.first?.role == "write" && keys.first?.name == "billing export")
                #expect(!listed.output.contains(Hex.encode(token.secret)))
                let table = try await Self.keysCommand(url, ["list"]).output
                #expect(table.contains(token.id.lowercasedString) && table.contains("billing export"))

                let revoked = try await Self.keysCommand(url, ["revoke", token.id.lowercasedString])
                #expect(revoked.status == 0 && revoked.output.contains("revoked"))
                let revokedAt = try await TestServices.withPostgres(url) { client in
                    try await PostgresAPIKeyRepository(client: client, logger: TestServices.logger).find(id: token.id)?.revokedAt
                }
                #expect(revokedAt != nil)

                let unknown = try await Self.keysCommand(url, ["revoke", UUID().uuidString])
                #expect(unknown.status != 0 && unknown.output.contains("no API key has the id"))
                let notAnID = try await Self.keysCommand(url, ["revoke", "bob"])
                #expect(notAnID.status != 0 && notAnID.output.contains("is not a key id"))
                let badRole = try await Self.keysCommand(url, ["create", "--role", "root"])
                #expect(badRole.status != 0)
            }
        }

        @Test func theKeysCommandRefusesADatabaseWithMigrationsPending() async throws {
            try await TestServices.withFreshDatabase { url in
                let result = try await Self.keysCommand(url, ["list"])
                #expect(result.status != 0 && result.output.contains("0001"), "\(result.output)")
            }
        }

        static let newCall = #"{"caller": "+1 555 0100", "receiver": "+1 555 0199", "started_at": "2026-11-21T09:30:00Z"}"#

        static var executable: String {
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("calls-api").path
        }

        /// Runs `calls-api keys …`; its standard output and error together.
        static func keysCommand(_ url: DatabaseURL, _ arguments: [String]) async throws -> (status: Int32, output: String) {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let output = directory.path + "/output"
            let process = try ChildProcess(
                executable: executable, arguments: ["keys"] + arguments, standardOutput: output, mergeStandardError: true,
                environment: [
                    "CALLS_DATABASE_URL": url.string, "CALLS_MIGRATIONS_DIR": FileManager.default.currentDirectoryPath + "/migrations",
                    "CALLS_LOG_LEVEL": "warning",
                ])
            let status = await process.waitForExit()
            return (status, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
        }
    }
}
