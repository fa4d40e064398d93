import CallsCore
import CallsStore
import Foundation
import PostgresNIO
import TestSupport
import Testing

extension IntegrationSuite {
    /// What queues a CDR rebuild and what does not (migration 0020), and that the panel forgetting old queue
    /// events never degrades a complete queue CDR.
    @Suite struct CdrPendingRefinementTests {
        static func at(_ seconds: Double) -> Date { CdrSourceRows.at(seconds) }

        func withStore(_ body: @Sendable (PostgresCdrBuilderStore, CdrSourceRows) async throws -> Void) async throws {
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    try await body(PostgresCdrBuilderStore(client: client, logger: TestServices.logger), CdrSourceRows(client: client))
                }
            }
        }

        @Test func onlyANewOperatorOrANewNameQueuesTheOperatorsCalls() async throws {
            try await withStore { store, rows in
                try await CdrBuilderTests.writeFinishedCall(rows, id: 1)
                try await CdrBuilderTests.writeFinishedCall(rows, id: 2)
                try await rows.operatorRow(8, name: "Anna")
                _ = try await store.buildDue(limit: 50, graceSeconds: 120)
                #expect(try await rows.count("SELECT count(*)::int FROM cdr_pending") == 0)

                // Fetched again unchanged, or with a new email: no CDR can change, nothing is queued.
                try await rows.operatorRow(8, name: "Anna")
                try await rows.operatorRow(8, name: "Anna", email: "anna@example.com")
                #expect(try await rows.count("SELECT count(*)::int FROM cdr_pending") == 0)

                try await rows.operatorRow(8, name: "Anna Berg")
                #expect(try await rows.count("SELECT count(*)::int FROM cdr_pending") == 2)
                #expect(try await store.buildDue(limit: 50, graceSeconds: 120) == CdrBuildReport(taken: 2, rebuilt: 2))
                #expect(try await rows.cdr(key: "1")?.0.operatorName == "Anna Berg")
            }
        }

        @Test func aNewContextQueuesNothingButANewEndTimeDoes() async throws {
            try await withStore { store, rows in
                try await CdrBuilderTests.writeFinishedCall(rows, id: 3)
                try await rows.operatorRow(8, name: "Anna")
                _ = try await store.buildDue(limit: 50, graceSeconds: 120)
                try await rows.run("UPDATE calls SET context = '{\"crm\": 1}' WHERE external_id = 3")
                #expect(try await rows.count("SELECT count(*)::int FROM cdr_pending") == 0)
                try await rows.run("UPDATE calls SET ended_at = ended_at + interval '10 seconds' WHERE external_id = 3")
                #expect(try await rows.count("SELECT count(*)::int FROM cdr_pending") == 1)
            }
        }

        /// The panel deleted the call's first events (retention); a late event arrives for it after the
        /// grace period: the complete CDR stays as it was, version 1.
        @Test func aQueueCallsCompleteRecordSurvivesTheRetentionOfItsEvents() async throws {
            try await withStore { store, rows in
                try await rows.queueEvent(100, call: "1700000000.9", at: Self.at(0), "ENTERQUEUE", ["", "+4930123", "1"])
                try await rows.queueEvent(200, call: "1700000000.9", at: Self.at(12), agent: "SIP/2", "CONNECT", ["12", "x", "3"])
                try await rows.queueEvent(
                    300, call: "1700000000.9", at: Self.at(200), agent: "SIP/2", "COMPLETECALLER", ["12", "188", "1"])
                #expect(try await store.buildDue(limit: 50, graceSeconds: 120) == CdrBuildReport(taken: 1, built: 1))
                let (built, _) = try #require(try await rows.cdr(.queue, source: "pbx1", key: "1700000000.9"))
                #expect(built.complete && built.durationSeconds == 200)

                try await rows.run("DELETE FROM telephony_events WHERE event_id IN ('100', '200')")
                try await rows.queueEvent(150, call: "1700000000.9", at: Self.at(6), agent: "SIP/1", "RINGNOANSWER", ["6000"])
                try await rows.ageQueue()
                _ = try await store.buildDue(limit: 50, graceSeconds: 120)
                let (after, _) = try #require(try await rows.cdr(.queue, source: "pbx1", key: "1700000000.9"))
                #expect(after == built)
            }
        }
    }
}

extension IntegrationSuite.CdrPendingRefinementTests {
    /// A leg the source moved to another call: both calls' CDRs are rebuilt (0020), so the call it left stops
    /// counting it.
    @Test func aLegMovedToAnotherCallRebuildsBothCalls() async throws {
        try await withStore { store, rows in
            try await IntegrationSuite.CdrBuilderTests.writeFinishedCall(rows, id: 5)
            try await IntegrationSuite.CdrBuilderTests.writeFinishedCall(rows, id: 6)
            try await rows.operatorRow(8, name: "Anna")
            _ = try await store.buildDue(limit: 50, graceSeconds: 120)
            #expect(try await rows.cdr(key: "5")?.0.numberOfConnections == 2)
            try await rows.run("UPDATE call_legs SET call_id = 6 WHERE connection_id = 52")
            #expect(try await rows.count("SELECT count(*)::int FROM cdr_pending") == 2)
            _ = try await store.buildDue(limit: 50, graceSeconds: 120)
            #expect(try await rows.cdr(key: "5")?.0.numberOfConnections == 1)
            #expect(try await rows.cdr(key: "6")?.0.numberOfConnections == 3)
        }
    }
}
