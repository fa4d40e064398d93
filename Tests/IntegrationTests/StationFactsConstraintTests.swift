@testable import CallsStore
import Foundation
import PostgresNIO
import Testing

extension IntegrationSuite {
    /// The database's own guard on station facts, for writers that bypass the API's validation.
    @Suite struct StationFactsConstraintTests {
        static func insert(_ client: PostgresClient, name: String?, direction: String? = nil, duration: Int? = nil) async throws {
            _ = try await client.query(
                """
                INSERT INTO calls (id, caller, receiver, caller_digits, receiver_digits, started_at, station_name,
                                   station_direction, station_duration_sec)
                VALUES (\(UUID()), '+100', '+200', '100', '200', now(), \(name), \(direction), \(duration))
                """, logger: TestServices.logger
            ).collect()
        }

        @Test func factsNeedAStationAndTheirOwnShape() async throws {
            try await TestServices.withFreshDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    _ = try await Migrator(client: client, directory: "migrations", logger: TestServices.logger).migrate()
                    try await Self.insert(client, name: "pbx-1", direction: "internal", duration: 0)
                    try await Self.insert(client, name: nil)
                    await #expect(throws: PSQLError.self) { try await Self.insert(client, name: nil, direction: "inbound") }
                    await #expect(throws: PSQLError.self) { try await Self.insert(client, name: "pbx-1", direction: "sideways") }
                    await #expect(throws: PSQLError.self) { try await Self.insert(client, name: "pbx-1", duration: -1) }
                }
            }
        }
    }
}
