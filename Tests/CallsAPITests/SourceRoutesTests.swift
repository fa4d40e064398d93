@testable import CallsAPI
import CallsCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport

/// `GET /sources` and `GET /sources/{source}/rejects` over statuses in memory.
@Suite struct SourceRoutesTests {
    static let at = Date(timeIntervalSince1970: 1_764_496_800)

    static let reader = InMemorySourceStatusReader(
        statuses: [
            SourceStatus(source: "crm", collection: "calls", cursor: 1042, itemsFetched: 40, itemsRejected: 2, pages: 9, lastSuccessAt: at),
            SourceStatus(
                source: "crm", collection: "operators", cursor: 0, lastError: "HTTP 503", lastErrorAt: at.addingTimeInterval(5)),
        ],
        rejects: [
            "crm": [
                SourceRejectRecord(
                    id: 1, collection: "calls", itemID: 1001, reason: "call_type 'x' is neither 'inbound' nor 'outbound'",
                    item: #"{"call_id": 1001, "call_type": "x"}"#, rejectedAt: at),
                SourceRejectRecord(id: 2, collection: "operators", itemID: nil, reason: "not a JSON object", item: "[1]", rejectedAt: at),
            ]
        ])

    func withRoutes(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await RouteHarness.run(configure: { $0.sources = Self.reader }) { _, client in try await body(client) }
    }

    @Test func listsEveryFetcherWithItsCursorAndLastError() async throws {
        try await withRoutes { client in
            let (status, body) = try await client.json(.get, "/sources")
            #expect(status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: body.data) as? [String: Any])
            let sources = try #require(json["sources"] as? [[String: Any]])
            #expect(sources.count == 2)
            #expect(sources[0]["source"] as? String == "crm" && sources[0]["collection"] as? String == "calls")
            #expect(sources[0]["cursor"] as? Int == 1042 && sources[0]["items_fetched"] as? Int == 40)
            #expect(sources[0]["items_rejected"] as? Int == 2 && sources[0]["pages"] as? Int == 9)
            #expect(sources[0]["last_success_at"] as? String == "2025-11-30T10:00:00.000Z")
            #expect(sources[0]["last_error"] == nil)
            #expect(sources[1]["last_error"] as? String == "HTTP 503")
            #expect(sources[1]["last_error_at"] as? String == "2025-11-30T10:00:05.000Z")
        }
    }

    @Test func listsASourcesRejectsNewestFirstWithTheItemAsItCame() async throws {
        try await withRoutes { client in
            let (status, body) = try await client.json(.get, "/sources/crm/rejects?limit=5")
            #expect(status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: body.data) as? [String: Any])
            #expect(json["source"] as? String == "crm")
            let rejects = try #require(json["rejects"] as? [[String: Any]])
            #expect(rejects.map { $0["id"] as? Int } == [2, 1])
            #expect(rejects[0]["item_id"] is NSNull, "present as null")
            #expect(rejects[0]["item"] as? [Int] == [1])
            #expect(rejects[1]["item_id"] as? Int == 1001)
            #expect((rejects[1]["item"] as? [String: Any])?["call_type"] as? String == "x")
            #expect(rejects[1]["reason"] as? String == "call_type 'x' is neither 'inbound' nor 'outbound'")
            let (_, one) = try await client.json(.get, "/sources/crm/rejects?limit=1")
            #expect(((try JSONSerialization.jsonObject(with: one.data) as? [String: Any])?["rejects"] as? [Any])?.count == 1)
            let (_, none) = try await client.json(.get, "/sources/pbx/rejects")
            #expect(((try JSONSerialization.jsonObject(with: none.data) as? [String: Any])?["rejects"] as? [Any])?.isEmpty == true)
        }
    }

    @Test(arguments: ["0", "1001", "x", "-1"])
    func refusesALimitOutOfRange(_ limit: String) async throws {
        try await withRoutes { client in
            let (status, body) = try await client.json(.get, "/sources/crm/rejects?limit=\(limit)")
            #expect(status == .unprocessableContent)
            #expect(body.problem?.code == "validation_failed")
        }
    }

    @Test func withoutAReaderThereIsNoRoute() async throws {
        try await RouteHarness.run { _, client in
            let (status, _) = try await client.json(.get, "/sources")
            #expect(status == .notFound)
        }
    }
}
