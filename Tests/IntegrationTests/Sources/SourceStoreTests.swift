import CallsCore
@testable import CallsStore
import Foundation
import PostgresNIO
import Testing
import TestSupport

extension IntegrationSuite {
    /// `PostgresSourceStore` on its own: the fenced cursor, legs before their call, and what `GET /sources` reads.
    @Suite struct SourceStoreTests {
        func withStore(_ body: @Sendable (PostgresSourceStore, PostgresClient) async throws -> Void) async throws {
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { postgres in
                    try await body(PostgresSourceStore(client: postgres, logger: TestServices.logger), postgres)
                }
            }
        }

        func batch(_ json: String, _ collection: SourceCollection, cursor: Int64 = 0, limit: Int = 10) throws -> SourceBatch {
            SourceBatch(
                page: try SourcePage.parse(Data(json.utf8), collection: collection, cursor: cursor, limit: limit), collection: collection)
        }

        static let call =
            #"{"call_id": 5, "call_type": "outbound", "scenario_id": 9, "initiator_phone": "+44 20 7946 0958", "initiated_at": "2026-11-30T10:00:00Z", "finished_at": null}"#

        @Test func aPageFetchedFromAMovedCursorStoresNothing() async throws {
            try await withStore { store, postgres in
                #expect(try await store.cursor(source: "crm", collection: .calls) == 0)
                let page = try batch(#"{"results": [\#(Self.call)], "next_cursor": null}"#, .calls)
                #expect(try await store.store(page, source: "crm", collection: .calls, from: 0))
                #expect(try await store.cursor(source: "crm", collection: .calls) == 5)
                // Another fetcher's page from the old cursor: refused whole, rejects included.
                let call6 = Self.call.replacingOccurrences(of: "\"call_id\": 5", with: "\"call_id\": 6")
                let stale = try batch(#"{"results": [\#(call6), {"call_id": 7, "call_type": "x"}], "next_cursor": null}"#, .calls)
                #expect(stale.items.count == 1 && stale.rejects.count == 1)
                #expect(try await store.store(stale, source: "crm", collection: .calls, from: 0) == false)
                #expect(try await store.cursor(source: "crm", collection: .calls) == 5)
                let rows = try await postgres.query("SELECT count(*)::int FROM calls", logger: TestServices.logger).decode(Int.self)
                    .collectAll()
                #expect(rows == [1])
                #expect(try await store.rejects(source: "crm", limit: 10).isEmpty)
                let status = try await store.statuses()
                #expect(status.map(\.itemsFetched) == [1] && status.map(\.pages) == [1])
            }
        }

        @Test func theFirstLegGivesTheReceiverWhicheverArrivesFirst() async throws {
            try await withStore { store, postgres in
                let legs = #"""
                    {"results": [
                      {"connection_id": 1, "call_id": 5, "phone": "+7 (900) 111-22-33", "initiated_at": "2026-11-30T10:00:01Z"},
                      {"connection_id": 2, "call_id": 5, "phone": "+7 (900) 444-55-66", "initiated_at": "2026-11-30T10:00:02Z"},
                      {"connection_id": 3, "call_id": 8, "phone": "+7 (900) 777-88-99", "initiated_at": "2026-11-30T10:00:02Z"}
                    ], "next_cursor": null}
                    """#
                #expect(try await store.store(try batch(legs, .connections), source: "crm", collection: .connections, from: 0))
                #expect(
                    try await store.store(
                        try batch(#"{"results": [\#(Self.call)], "next_cursor": null}"#, .calls), source: "crm", collection: .calls, from: 0
                    ))
                let late = Self.call.replacingOccurrences(of: "\"call_id\": 5", with: "\"call_id\": 8")
                #expect(
                    try await store.store(
                        try batch(#"{"results": [\#(late)], "next_cursor": null}"#, .calls, cursor: 5), source: "crm", collection: .calls,
                        from: 5))
                let rows = try await postgres.query(
                    "SELECT external_id, receiver, receiver_digits, caller_digits, scenario_id FROM calls ORDER BY external_id",
                    logger: TestServices.logger
                ).decode((Int64, String, String, String, String).self).collectAll()
                #expect(rows.map(\.0) == [5, 8])
                #expect(rows.map(\.1) == ["+7 (900) 111-22-33", "+7 (900) 777-88-99"])
                #expect(rows.map(\.2) == ["79001112233", "79007778899"])
                #expect(rows.map(\.3) == ["442079460958", "442079460958"])
                #expect(rows.map(\.4) == ["9", "9"], "an integer scenario id kept as text")
                // A leg arriving after its call fills an empty receiver, and only an empty one.
                let call9 = Self.call.replacingOccurrences(of: "\"call_id\": 5", with: "\"call_id\": 9")
                #expect(
                    try await store.store(
                        try batch(#"{"results": [\#(call9)], "next_cursor": null}"#, .calls, cursor: 8), source: "crm", collection: .calls,
                        from: 8))
                let leg9 =
                    #"{"results": [{"connection_id": 4, "call_id": 9, "phone": "555 0100", "initiated_at": "2026-11-30T10:00:01Z"}, {"connection_id": 5, "call_id": 9, "phone": "555 0199", "initiated_at": "2026-11-30T10:00:01Z"}], "next_cursor": null}"#
                #expect(try await store.store(try batch(leg9, .connections, cursor: 3), source: "crm", collection: .connections, from: 3))
                let receiver = try await postgres.query(
                    "SELECT receiver_digits FROM calls WHERE external_id = 9", logger: TestServices.logger
                ).decode(String.self).collectAll()
                #expect(receiver == ["5550100"])
            }
        }

        /// A call page stored while a page with its leg is still open (the fetchers of two collections run side
        /// by side) waits for it, and then takes the leg's phone as the receiver.
        @Test func aCallStoredWhileItsLegIsUncommittedStillGetsTheReceiver() async throws {
            try await withStore { store, postgres in
                let call = try batch(#"{"results": [\#(Self.call)], "next_cursor": null}"#, .calls)
                let legs = try batch(
                    #"{"results": [{"connection_id": 1, "call_id": 5, "phone": "555 0100", "initiated_at": "2026-11-30T10:00:01Z"}], "next_cursor": null}"#,
                    .connections)
                // The leg's page, held open as the connections fetcher's transaction would be.
                let callStore = try await postgres.withTransaction(logger: TestServices.logger) { connection in
                    try await PostgresSourceStore.lockReceivers(of: "crm", connection: connection, logger: TestServices.logger)
                    for item in legs.items {
                        try await SourceRows.upsert(item, source: "crm", connection: connection, logger: TestServices.logger)
                    }
                    let callStore = Task { try await store.store(call, source: "crm", collection: .calls, from: 0) }
                    try await expectEventually("the call page waits for the leg page", within: 10) {
                        let waiting = try await postgres.query(
                            "SELECT count(*)::int FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'",
                            logger: TestServices.logger
                        ).decode(Int.self).collectAll()
                        return waiting == [1]
                    }
                    return callStore
                }
                #expect(try await callStore.value, "the call page stored once the leg page committed")
                let receivers = try await postgres.query(
                    "SELECT receiver_digits FROM calls WHERE external_id = 5", logger: TestServices.logger
                ).decode(String.self).collectAll()
                #expect(receivers == ["5550100"])
            }
        }

        @Test func anUnchangedItemFetchedAgainQueuesNoCDRRebuild() async throws {
            try await withStore { store, postgres in
                let page = #"{"results": [\#(Self.call)], "next_cursor": null}"#
                #expect(try await store.store(try batch(page, .calls), source: "crm", collection: .calls, from: 0))
                try await postgres.query("DELETE FROM cdr_pending", logger: TestServices.logger)
                // The same call again, as when a page is fetched again after its commit's answer was lost.
                try await postgres.query("UPDATE source_cursors SET cursor = 0", logger: TestServices.logger)
                #expect(try await store.store(try batch(page, .calls), source: "crm", collection: .calls, from: 0))
                let pending = try await postgres.query("SELECT count(*)::int FROM cdr_pending", logger: TestServices.logger).decode(
                    Int.self
                ).collectAll()
                #expect(pending == [0], "nothing changed, nothing to rebuild")
                let changed = page.replacingOccurrences(of: "\"finished_at\": null", with: "\"finished_at\": \"2026-11-30T10:03:00Z\"")
                #expect(try await store.store(try batch(changed, .calls), source: "crm", collection: .calls, from: 5))
                let after = try await postgres.query("SELECT count(*)::int FROM cdr_pending", logger: TestServices.logger).decode(Int.self)
                    .collectAll()
                #expect(after == [1])
            }
        }

        @Test func failuresAreRecordedAndListedWithTheRest() async throws {
            try await withStore { store, _ in
                try await store.recordFailure(source: "pbx", collection: .operators, error: "HTTP 503")
                _ = try await store.cursor(source: "crm", collection: .callEvents)
                let statuses = try await store.statuses()
                #expect(statuses.map { "\($0.source)/\($0.collection)" } == ["crm/call_events", "pbx/operators"])
                #expect(statuses[1].lastError == "HTTP 503" && statuses[1].lastErrorAt != nil && statuses[1].cursor == 0)
                #expect(statuses[0].lastError == nil)
            }
        }

        /// The API reads what the store recorded.
        @Test func theAPIServesTheStoredStatusesAndRejects() async throws {
            try await Stack.withMigrated { stack, url in
                try await TestServices.withPostgres(url) { postgres in
                    let store = PostgresSourceStore(client: postgres, logger: TestServices.logger)
                    let page = #"{"results": [\#(Self.call), {"call_id": 6, "call_type": "x"}], "next_cursor": null}"#
                    #expect(try await store.store(try batch(page, .calls), source: "crm", collection: .calls, from: 0))
                    try await store.recordFailure(source: "crm", collection: .operators, error: "HTTP 503")
                }
                try await stack.withAPI { client in
                    let (status, body) = try await client.json(.get, "/sources")
                    #expect(status == .ok)
                    let sources = try #require(
                        (try JSONSerialization.jsonObject(with: body.data) as? [String: Any])?["sources"] as? [[String: Any]])
                    #expect(sources.map { $0["collection"] as? String } == ["calls", "operators"])
                    #expect(
                        sources[0]["cursor"] as? Int == 6 && sources[0]["items_fetched"] as? Int == 1
                            && sources[0]["items_rejected"] as? Int == 1)
                    #expect(sources[1]["last_error"] as? String == "HTTP 503")
                    let (rejectsStatus, rejects) = try await client.json(.get, "/sources/crm/rejects")
                    #expect(rejectsStatus == .ok)
                    let list = try #require(
                        (try JSONSerialization.jsonObject(with: rejects.data) as? [String: Any])?["rejects"] as? [[String: Any]])
                    #expect(list.count == 1 && list.first?["item_id"] as? Int == 6)
                    #expect((list.first?["item"] as? [String: Any])?["call_type"] as? String == "x")
                }
            }
        }
    }
}
