import AsyncHTTPClient
import CallsCore
import Foundation
import HummingbirdTesting
import NIOCore
import PostgresNIO
import TestSupport
import Testing

extension IntegrationSuite {
    /// Long polls and event streams woken by PostgreSQL LISTEN/NOTIFY.
    @Suite struct CallWatchTests {
        static func setStatus(_ status: String, of id: String, url: DatabaseURL) async throws {
            try await TestServices.withPostgres(url) { postgres in
                _ = try await postgres.query(
                    "UPDATE calls SET status = \(status) WHERE id = \(UUID(uuidString: id)!)", logger: TestServices.logger
                ).collect()
            }
        }

        /// The backends of this database that last ran a LISTEN: the API's status listener.
        static func listeningBackends(_ url: DatabaseURL) async throws -> Set<Int32> {
            try await TestServices.withPostgres(url) { postgres in
                Set(
                    try await postgres.query(
                        """
                        SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'
                        """, logger: TestServices.logger
                    ).decode(Int32.self).collectAll())
            }
        }

        @Test func aLongPollWakesOnAStatusChangeAndOtherwiseEndsAtItsTime() async throws {
            try await Stack.withMigrated { stack, url in
                try await stack.withAPI { client in
                    let id = try await client.createCall()
                    // Nothing happens: the call comes back unchanged after the wait.
                    let quiet = ContinuousClock.now
                    let (_, unchanged) = try await client.json(.get, "/calls/\(id)?wait=1", as: Call.self)
                    #expect(unchanged.status == .created)
                    #expect(ContinuousClock.now - quiet >= .seconds(1))

                    // A change wakes the waiting request long before its 20 s are up.
                    let started = ContinuousClock.now
                    async let woken = client.json(.get, "/calls/\(id)?wait=20", as: Call.self)
                    try await Task.sleep(for: .milliseconds(300))
                    try await Self.setStatus("processing", of: id, url: url)
                    let (status, call) = try await woken
                    #expect(status == .ok && call.status == .processing)
                    #expect(ContinuousClock.now - started < .seconds(10))

                    // A final call answers at once.
                    try await Self.setStatus("ready", of: id, url: url)
                    let final = ContinuousClock.now
                    #expect(try await client.json(.get, "/calls/\(id)?wait=30", as: Call.self).1.status == .ready)
                    #expect(ContinuousClock.now - final < .seconds(5))

                    #expect(try await client.json(.get, "/calls/\(id)?wait=61").0 == .unprocessableContent)
                    #expect(try await client.json(.get, "/calls/\(UUID().uuidString)?wait=1").0 == .notFound)
                }
            }
        }

        @Test func waitersSurviveTheListenerLosingItsConnection() async throws {
            try await Stack.withMigrated { stack, url in
                try await stack.withAPI { client in
                    let id = try await client.createCall()
                    let terminated = try await TestServices.withPostgres(url) { postgres in
                        try await postgres.query(
                            """
                            SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity
                            WHERE datname = current_database() AND query LIKE 'LISTEN%'
                            """, logger: TestServices.logger
                        ).decode((Int32, Bool).self).collectAll()
                    }
                    #expect(terminated.map(\.1) == [true], "the listener's connection was found and cut")
                    let cut = Set(terminated.map(\.0))
                    // The listener reconnects within a second; a change after that still wakes the waiter.
                    let started = ContinuousClock.now
                    async let woken = client.json(.get, "/calls/\(id)?wait=20", as: Call.self)
                    #expect(
                        try await waitUntil(within: 10) {
                            try await !Self.listeningBackends(url).subtracting(cut).isEmpty
                        }, "the listener is back on a new connection")
                    try await Self.setStatus("failed", of: id, url: url)
                    #expect(try await woken.1.status == .failed)
                    #expect(ContinuousClock.now - started < .seconds(12))
                }
            }
        }

        @Test func theEventStreamSendsEachStatusUntilTheCallIsFinal() async throws {
            try await Stack.withMigrated { stack, url in
                try await stack.withAPI { client in
                    let id = try await client.createCall()
                    let response = try await HTTPClient.shared.execute(
                        HTTPClientRequest(url: "http://127.0.0.1:\(client.port!)/calls/\(id)/events"), timeout: .seconds(30))
                    #expect(response.status == .ok)
                    #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
                    let changer = Task {
                        try await Task.sleep(for: .milliseconds(500))
                        try await Self.setStatus("processing", of: id, url: url)
                        try await Task.sleep(for: .milliseconds(300))
                        try await Self.setStatus("ready", of: id, url: url)
                    }
                    var text = ""
                    for try await chunk in response.body { text += String(buffer: chunk) }
                    try await changer.value
                    let events = text.components(separatedBy: "\n\n").filter { $0.hasPrefix("event: status") }
                    let statuses = events.compactMap { event -> CallStatus? in
                        guard let data = event.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }) else { return nil }
                        return try? JSONBody(Data(data.dropFirst(6).utf8)).decode(Call.self).status
                    }
                    #expect(statuses == [.created, .processing, .ready], "\(text)")
                    #expect(try await client.json(.get, "/calls/\(UUID().uuidString)/events").0 == .notFound)
                }
            }
        }

        @Test func anEventStreamEndsAfterItsLifetimeWhenTheCallIsNotFinal() async throws {
            try await Stack.withMigrated { plain, _ in
                var shortLived = plain
                shortLived.api.eventStreamSeconds = 1
                let stack = shortLived
                try await stack.withAPI { client in
                    let id = try await client.createCall()
                    let started = ContinuousClock.now
                    let response = try await HTTPClient.shared.execute(
                        HTTPClientRequest(url: "http://127.0.0.1:\(client.port!)/calls/\(id)/events"), timeout: .seconds(30))
                    var text = ""
                    for try await chunk in response.body { text += String(buffer: chunk) }
                    let elapsed = ContinuousClock.now - started
                    #expect(text.hasPrefix("event: status\nid: created\n"), "\(text)")
                    #expect(elapsed >= .seconds(1) && elapsed < .seconds(10))
                }
            }
        }
    }
}
