import CallsCore
import CallsStore
@testable import CallsWorker
import Foundation
import PostgresNIO
import Testing
import TestSupport

extension IntegrationSuite {
    /// Fetchers against a fake source speaking the exact paging protocol, storing into real PostgreSQL.
    @Suite struct SourceFetchTests {
        static func count(_ table: String, _ postgres: PostgresClient) async throws -> Int {
            let rows = try await postgres.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table)"), logger: TestServices.logger)
            for try await count in rows.decode(Int.self) { return count }
            return -1
        }

        /// Every table holds each valid item once, and every fetcher counted each once.
        static func expectEverythingOnce(
            _ items: [SourceCollection: [SourceJSON]], rejected: [SourceCollection: Int] = [:], harness: FetcherHarness,
            postgres: PostgresClient, sourceLocation: SourceLocation = #_sourceLocation
        ) async throws {
            let valid = items.mapValues(\.count).merging(rejected) { $0 - $1 }
            #expect(try await count("calls WHERE source = 'fake'", postgres) == valid[.calls], sourceLocation: sourceLocation)
            #expect(try await count("call_legs", postgres) == valid[.connections], sourceLocation: sourceLocation)
            #expect(try await count("call_source_events", postgres) == valid[.callEvents], sourceLocation: sourceLocation)
            #expect(try await count("source_operators", postgres) == valid[.operators], sourceLocation: sourceLocation)
            for status in try await harness.store.statuses() {
                let collection = SourceCollection(rawValue: status.collection)!
                #expect(status.itemsFetched == Int64(valid[collection]!), "\(status.collection)", sourceLocation: sourceLocation)
                #expect(status.itemsRejected == Int64(rejected[collection] ?? 0), "\(status.collection)", sourceLocation: sourceLocation)
            }
        }

        @Test(arguments: [1, 7, 500])
        func importsEveryItemOnceAtAnyPageSize(_ pageSize: Int) async throws {
            let items = SourceDataSet.make()
            let fake = FakeSource(items: items)
            try await FetcherHarness.with(fake, pageSize: pageSize) { harness, postgres in
                try await harness.running {
                    try await expectEventually("every cursor at its last id", within: 60) { try await harness.allIn(items) }
                }
                try await Self.expectEverythingOnce(items, harness: harness, postgres: postgres)
                // A page that had items was asked for once: nothing fetched twice.
                var served: [String: Int] = [:]
                for request in fake.requests where request.outcome == "page" {
                    let collection = SourceCollection(rawValue: request.collection)!
                    if fake.page(collection, cursor: request.cursor, limit: pageSize).contains("\"results\":[{") {
                        served["\(request.collection)@\(request.cursor)", default: 0] += 1
                    }
                }
                #expect(served.values.allSatisfy { $0 == 1 }, "\(served.filter { $0.value > 1 })")
                #expect(fake.requests.allSatisfy { $0.limit == pageSize })
                try await Self.expectImportedCall(postgres)
            }
        }

        /// Call 1000+3·4 = 1012 as SourceDataSet makes it: its first leg's phone is the receiver, digits only.
        static func expectImportedCall(_ postgres: PostgresClient) async throws {
            let rows = try await postgres.query(
                """
                SELECT caller, caller_digits, receiver, receiver_digits, status, direction, scenario_id, media_record_id,
                       context::text, EXTRACT(EPOCH FROM started_at)::int8, EXTRACT(EPOCH FROM ended_at)::int8
                FROM calls WHERE source = 'fake' AND external_id = 1012
                """, logger: TestServices.logger)
            var found = false
            for try await row in rows.decode(
                (String, String, String, String, String, String?, String?, String?, String?, Int64, Int64).self)
            {
                found = true
                #expect(row.0 == "+7 900 000-00-14" && row.1 == "79000000014")
                #expect(row.2 == "+1 555 0140" && row.3 == "15550140", "the first leg's phone")
                #expect(row.4 == "created" && row.5 == "inbound" && row.6 == "scenario-0" && row.7 == "media-4")
                #expect(row.8 == #"{"index": 4}"#)
                #expect(row.9 == 1_764_496_800 + 2400 && row.10 == 1_764_496_800 + 2400 + 124)
            }
            #expect(found, "call 1012 imported")
        }

        @Test func theCursorSurvivesARestartMidWay() async throws {
            let items = SourceDataSet.make()
            let fake = FakeSource(items: items, pageDelay: .milliseconds(5))
            try await FetcherHarness.with(fake, pageSize: 1) { harness, postgres in
                try await harness.running(owner: "first") {
                    try await expectEventually("half the events in", within: 30) {
                        try await harness.store.statuses().contains { $0.collection == "call_events" && $0.itemsFetched >= 30 }
                    }
                }
                let stopped = try await harness.store.statuses()
                #expect(!(try await harness.allIn(items)), "stopped mid-way")
                let requestsBefore = fake.requests.count
                try await harness.running(owner: "second") {
                    try await expectEventually("every cursor at its last id", within: 60) { try await harness.allIn(items) }
                }
                // The second one started where the first stopped, not from the beginning.
                let firstAsked = Dictionary(grouping: fake.requests[requestsBefore...], by: \.collection).mapValues { $0.first!.cursor }
                for status in stopped { #expect(firstAsked[status.collection] == status.cursor, "\(status.collection)") }
                try await Self.expectEverythingOnce(items, harness: harness, postgres: postgres)
            }
        }

        @Test(arguments: [FakeSource.Fault.failEveryOther, .garbageEveryOther, .hangEveryOther])
        func aFailingSourceNeverMovesTheCursorAndEverythingComesInTheEnd(_ fault: FakeSource.Fault) async throws {
            let items = SourceDataSet.make()
            let fake = FakeSource(items: items, fault: fault, hang: .seconds(3))
            try await FetcherHarness.with(fake, pageSize: 20, timing: FetcherHarness.timing(timeout: .milliseconds(500))) {
                harness, postgres in
                try await harness.running {
                    try await expectEventually("every cursor at its last id", within: 90) { try await harness.allIn(items) }
                }
                try await Self.expectEverythingOnce(items, harness: harness, postgres: postgres)
                // After each failed request, the next one of its collection asks from the same cursor.
                for (_, requests) in Dictionary(grouping: fake.requests, by: \.collection) {
                    #expect(requests.contains { $0.outcome != "page" })
                    for (failed, next) in zip(requests, requests.dropFirst()) where failed.outcome != "page" {
                        #expect(next.cursor == failed.cursor, "\(failed) then \(next)")
                    }
                }
                let expected = [
                    "failEveryOther": "HTTP 500", "garbageEveryOther": "malformed page", "hangEveryOther": "no complete answer",
                ]
                for status in try await harness.store.statuses() {
                    #expect(status.lastError?.contains(expected["\(fault)"]!) == true, "\(status.lastError ?? "none")")
                    #expect(status.itemsFetched > 0)
                    #expect(status.lastErrorAt != nil && status.lastSuccessAt != nil)
                }
            }
        }

        @Test func rejectedItemsAreRecordedWithTheReasonAndTheRestIsImported() async throws {
            let items = SourceDataSet.make(withRejects: true)
            let fake = FakeSource(items: items)
            try await FetcherHarness.with(fake, pageSize: 2) { harness, postgres in
                try await harness.running {
                    try await expectEventually("every cursor at its last id", within: 60) { try await harness.allIn(items) }
                }
                try await Self.expectEverythingOnce(items, rejected: [.calls: 2, .operators: 1], harness: harness, postgres: postgres)
                let rejects = try await harness.store.rejects(source: "fake", limit: 10)
                #expect(Set(rejects.map(\.itemID)) == [715, 1004, 1001])
                #expect(rejects.map(\.id) == rejects.map(\.id).sorted(by: >), "newest first")
                let byID = Dictionary(uniqueKeysWithValues: rejects.map { ($0.itemID, $0) })
                #expect(byID[1001]?.reason.contains("sideways") == true && byID[1001]?.collection == "calls")
                #expect(byID[1004]?.reason == "finished_at is before initiated_at")
                #expect(byID[715]?.reason == "name is not a string" && byID[715]?.collection == "operators")
                #expect(byID[1001]?.item.contains(#""call_type": "sideways""#) == true, "the item kept as it came")
                #expect(try await harness.store.rejects(source: "fake", limit: 1).count == 1)
                #expect(try await harness.store.rejects(source: "other", limit: 10).isEmpty)
            }
        }

        @Test func redirectsAreNotFollowed() async throws {
            let items = SourceDataSet.make()
            let fake = FakeSource(items: items, fault: .redirect)
            try await FetcherHarness.with(fake, pageSize: 50) { harness, postgres in
                try await harness.running {
                    try await expectEventually("an error recorded for every collection", within: 30) {
                        let statuses = try await harness.store.statuses()
                        return statuses.count == 4 && statuses.allSatisfy { $0.lastError != nil }
                    }
                }
                for status in try await harness.store.statuses() {
                    #expect(status.cursor == 0 && status.itemsFetched == 0 && status.lastSuccessAt == nil)
                    #expect(status.lastError == "HTTP 302 (redirects are not followed)")
                }
                #expect(fake.movedRequests == 0)
                #expect(try await Self.count("calls", postgres) == 0)
            }
        }
    }
}
