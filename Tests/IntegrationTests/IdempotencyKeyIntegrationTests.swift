import AsyncHTTPClient
import CallsCore
import Foundation
import HummingbirdTesting
import NIOCore
import PostgresNIO
import TestSupport
import Testing

extension IntegrationSuite {
    /// `Idempotency-Key` against PostgreSQL: concurrent retries make one call, and a deleted call frees its key.
    @Suite struct IdempotencyKeyIntegrationTests {
        static func post(port: Int, key: String, caller: String = "+7 900 123-45-67") async throws -> (Int, String?, Bool) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/calls")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Idempotency-Key", value: key)
            request.body = .bytes(
                ByteBuffer(
                    string: """
                        {"caller": "\(caller)", "receiver": "+1 555 0100", "started_at": "2026-11-21T09:30:00Z"}
                        """))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            let id = try? JSONBody(body).decode(Call.self).id.lowercasedString
            return (Int(response.status.code), id, response.headers.first(name: "Idempotency-Replayed") == "true")
        }

        @Test func concurrentRetriesWithOneKeyMakeOneCall() async throws {
            try await Stack.withMigrated { stack, url in
                try await stack.withAPI { client in
                    let port = client.port!
                    let results = try await withThrowingTaskGroup(of: (Int, String?, Bool).self) { group in
                        for _ in 0..<8 { group.addTask { try await Self.post(port: port, key: "burst-1") } }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                    #expect(results.allSatisfy { $0.0 == 201 })
                    #expect(Set(results.compactMap(\.1)).count == 1)
                    #expect(results.filter { !$0.2 }.count == 1, "exactly one request created the call")
                    let (status, _, _) = try await Self.post(port: port, key: "burst-1", caller: "+7 900 000-00-00")
                    #expect(status == 422)

                    let id = try #require(results.first?.1)
                    #expect(try await client.json(.delete, "/calls/\(id)").0 == .noContent)
                    let (afterStatus, afterID, replayed) = try await Self.post(port: port, key: "burst-1", caller: "+7 900 000-00-00")
                    #expect(afterStatus == 201 && afterID != id && !replayed, "deleting the call freed its key")
                    let keys = try await TestServices.withPostgres(url) { postgres in
                        try await postgres.query("SELECT count(*) FROM idempotency_keys", logger: TestServices.logger)
                            .decode(Int.self).collectAll()
                    }
                    #expect(keys == [1])
                }
            }
        }
    }
}
