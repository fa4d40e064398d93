@testable import CallsWorker
import CallsCore
import CallsStore
import Foundation
import Logging
import PostgresNIO
import Prometheus
import ServiceLifecycle
import Testing
import TestSupport

extension IntegrationSuite {
    /// The CDR builder against real PostgreSQL: source rows written with SQL (the triggers queue the calls),
    /// CDRs checked field by field against values worked out by hand, versions, the grace period (made over
    /// by ageing the queue, never by waiting for the clock), queue calls, and two builders sharing the queue.
    @Suite struct CdrBuilderTests {
        static let grace = 120

        func withStore(_ body: @Sendable (PostgresCdrBuilderStore, CdrSourceRows) async throws -> Void) async throws {
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    try await body(PostgresCdrBuilderStore(client: client, logger: TestServices.logger), CdrSourceRows(client: client))
                }
            }
        }

        static func at(_ seconds: Double) -> Date { CdrSourceRows.at(seconds) }

        /// Call 4711: 10:00:00 to 10:05:30.500 (330 s); a leg answered after 15.9 s that talked 164.2 s, a
        /// second that talked 130 s; operator 8; holds of 30 and 12.9 s; resolved.
        @discardableResult
        static func writeFinishedCall(_ rows: CdrSourceRows, id: Int64 = 4711) async throws -> UUID {
            let rowID = try await rows.call(id, ended: at(330.5))
            try await rows.leg(id * 10 + 1, call: id, initiated: at(2), answered: at(15.9), finished: at(180.1))
            try await rows.leg(id * 10 + 2, call: id, initiated: at(185), answered: at(200), finished: at(330))
            try await rows.event(id * 10 + 1, call: id, "call_initiated")
            try await rows.event(id * 10 + 2, call: id, "operator_assigned", #"{"operator_id": 8, "name": "Anna"}"#)
            try await rows.event(id * 10 + 3, call: id, "on_hold", #"{"duration": 30}"#)
            try await rows.event(id * 10 + 4, call: id, "on_hold", #"{"duration": 12.9}"#)
            try await rows.event(id * 10 + 5, call: id, "call_finished", #"{"status": "resolved"}"#)
            try await rows.operatorRow(8, name: "Anna Petrova")
            return rowID
        }

        @Test func aFinishedCallIsBuiltOnceFieldByField() async throws {
            try await withStore { store, rows in
                let rowID = try await Self.writeFinishedCall(rows)
                #expect(try await store.buildDue(limit: 50, graceSeconds: Self.grace) == CdrBuildReport(taken: 1, built: 1))
                let (record, _) = try #require(try await rows.cdr(key: "4711"))
                #expect(record.kind == .import && record.source == "crm" && record.callKey == "4711")
                #expect(record.callID == 4711 && record.callRowID == rowID && record.version == 1)
                #expect(record.initiatorPhone == "+49 30 1234567" && record.callType == "inbound" && record.scenarioID == "sales-ivr")
                #expect(record.startTime == Self.at(0) && record.endTime == Self.at(330.5))
                #expect(record.durationSeconds == 330)
                #expect(record.operatorID == 8 && record.operatorName == "Anna Petrova")
                #expect(record.callResult == "resolved")
                #expect(record.numberOfConnections == 2 && record.numberOfEvents == 5)
                #expect(record.waitSeconds == 15 && record.talkSeconds == 164 + 130 && record.holdSeconds == 42)
                #expect(record.answered && record.complete && record.queue == nil && record.agent == nil)
                #expect(try await rows.count("SELECT count(*) FROM cdr_pending") == 0)
                #expect(try await store.buildDue(limit: 50, graceSeconds: Self.grace) == CdrBuildReport())
            }
        }

        /// A late event is a new version with a new `change_seq`; an input stored again as it was, or an
        /// operator's row changing nothing a CDR shows, builds the same CDR and leaves both as they are.
        @Test func aLateEventMakesANewVersionAndNothingElseDoes() async throws {
            try await withStore { store, rows in
                try await Self.writeFinishedCall(rows)
                _ = try await store.buildDue(limit: 50, graceSeconds: Self.grace)
                let (first, firstSeq) = try #require(try await rows.cdr(key: "4711"))

                try await rows.event(47116, call: 4711, "on_hold", #"{"duration": 10}"#)
                #expect(try await store.buildDue(limit: 50, graceSeconds: Self.grace) == CdrBuildReport(taken: 1, rebuilt: 1))
                let (second, secondSeq) = try #require(try await rows.cdr(key: "4711"))
                #expect(second.version == 2 && secondSeq > firstSeq && second.id == first.id)
                #expect(second.holdSeconds == 52 && second.numberOfEvents == 6 && second.durationSeconds == 330)

                try await rows.event(47113, call: 4711, "on_hold", #"{"duration": 30}"#)
                try await rows.operatorRow(8, name: "Anna Petrova", email: "anna@example.com")
                #expect(try await rows.count("SELECT count(*) FROM cdr_pending") == 1)
                #expect(try await store.buildDue(limit: 50, graceSeconds: Self.grace) == CdrBuildReport(taken: 1, unchanged: 1))
                let (third, thirdSeq) = try #require(try await rows.cdr(key: "4711"))
                #expect(third.version == 2 && thirdSeq == secondSeq && third.builtAt == second.builtAt)
                #expect(try await rows.count("SELECT count(*) FROM cdr_pending") == 0)
            }
        }

        /// An end time but no legs, no operator and no finishing event: the call waits out the grace period
        /// from when it was first seen, is then built with what is known, and built again, complete, when the
        /// rest arrives.
        @Test func missingInputsWaitForTheGracePeriodThenBuildWithWhatIsKnown() async throws {
            try await withStore { store, rows in
                try await rows.call(501, scenario: nil, ended: Self.at(61.5))
                #expect(try await store.buildDue(limit: 50, graceSeconds: Self.grace) == CdrBuildReport(taken: 1, deferred: 1))
                #expect(
                    try await rows.count("SELECT count(*) FROM cdr_pending WHERE due_at = first_seen_at + interval '120 seconds'") == 1)
                #expect(try await rows.cdr(key: "501") == nil)
                // Not due yet: taken by no batch.
                #expect(try await store.buildDue(limit: 50, graceSeconds: Self.grace) == CdrBuildReport())

                try await rows.ageQueue()
                #expect(try await store.buildDue(limit: 50, graceSeconds: Self.grace) == CdrBuildReport(taken: 1, built: 1))
                let (partial, partialSeq) = try #require(try await rows.cdr(key: "501"))
                #expect(!partial.complete && partial.version == 1)
                #expect(partial.durationSeconds == 61 && partial.scenarioID == "")
                #expect(partial.operatorID == nil && partial.operatorName == nil && partial.callResult == nil)
                #expect(partial.numberOfConnections == 0 && partial.numberOfEvents == 0)
                #expect(partial.waitSeconds == nil && partial.talkSeconds == 0 && partial.holdSeconds == 0 && !partial.answered)

                try await rows.leg(5011, call: 501, initiated: Self.at(1), answered: Self.at(9), finished: Self.at(61))
                try await rows.event(5011, call: 501, "hangup")
                #expect(try await store.buildDue(limit: 50, graceSeconds: Self.grace) == CdrBuildReport(taken: 1, rebuilt: 1))
                let (full, fullSeq) = try #require(try await rows.cdr(key: "501"))
                #expect(full.complete && full.version == 2 && fullSeq > partialSeq)
                #expect(full.numberOfConnections == 1 && full.numberOfEvents == 1 && full.callResult == nil)
                #expect(full.waitSeconds == 9 && full.talkSeconds == 52 && full.answered && full.operatorName == nil)
            }
        }

        /// An operator row arriving after its call is what the call waited for: it is built, complete, at once.
        @Test func anOperatorArrivingLateCompletesTheCall() async throws {
            try await withStore { store, rows in
                try await rows.call(601, ended: Self.at(100))
                try await rows.leg(6011, call: 601, initiated: Self.at(0), answered: Self.at(20), finished: Self.at(100))
                try await rows.event(6011, call: 601, "operator_assigned", #"{"operator_id": 9, "name": "Ivan"}"#)
                try await rows.event(6012, call: 601, "call_finished", #"{"status": "unresolved"}"#)
                #expect(try await store.buildDue(limit: 50, graceSeconds: Self.grace) == CdrBuildReport(taken: 1, deferred: 1))
                try await rows.operatorRow(9, name: "Ivan Sidorov")
                #expect(try await store.buildDue(limit: 50, graceSeconds: Self.grace) == CdrBuildReport(taken: 1, built: 1))
                let (record, _) = try #require(try await rows.cdr(key: "601"))
                #expect(record.complete && record.operatorID == 9 && record.operatorName == "Ivan Sidorov")
                #expect(record.callResult == "unresolved" && record.waitSeconds == 20 && record.talkSeconds == 80)
            }
        }

        /// A call without an end time, or legs whose call has not arrived, leave the queue without a CDR; the
        /// change that finishes the call queues it again.
        @Test func anUnfinishedCallLeavesTheQueueUntilItChanges() async throws {
            try await withStore { store, rows in
                try await rows.leg(7011, call: 701, initiated: Self.at(0), answered: Self.at(5), finished: Self.at(50))
                try await rows.call(702, ended: nil)
                #expect(try await store.buildDue(limit: 50, graceSeconds: 0) == CdrBuildReport(taken: 2, notFinished: 2))
                #expect(try await rows.count("SELECT count(*) FROM cdr_pending") == 0)
                #expect(try await rows.count("SELECT count(*) FROM cdrs") == 0)

                try await rows.call(701, ended: Self.at(50))
                try await rows.event(7011, call: 701, "hangup")
                try await rows.run("UPDATE calls SET ended_at = \(Self.at(70)) WHERE external_id = 702")
                try await rows.event(7021, call: 702, "hangup")
                try await rows.leg(7021, call: 702, initiated: Self.at(0), answered: nil, finished: Self.at(70))
                #expect(try await store.buildDue(limit: 50, graceSeconds: Self.grace) == CdrBuildReport(taken: 2, built: 2))
                #expect(try await rows.cdr(key: "701")?.0.talkSeconds == 45)
                #expect(try await rows.cdr(key: "702")?.0.answered == false)
            }
        }

        /// A call whose inputs another transaction is writing is skipped, not waited for, and built once that
        /// transaction has committed: with what it wrote.
        @Test func aCallBeingWrittenIsLeftForTheNextBatch() async throws {
            try await withStore { store, rows in
                try await Self.writeFinishedCall(rows)
                try await rows.client.withTransaction(logger: TestServices.logger) { connection in
                    _ = try await connection.query(
                        "UPDATE call_source_events SET payload = '{\"status\": \"unresolved\"}' WHERE event_id = 47115",
                        logger: TestServices.logger)
                    #expect(try await store.buildDue(limit: 50, graceSeconds: Self.grace) == CdrBuildReport())
                }
                #expect(try await store.buildDue(limit: 50, graceSeconds: Self.grace) == CdrBuildReport(taken: 1, built: 1))
                #expect(try await rows.cdr(key: "4711")?.0.callResult == "unresolved")
            }
        }

        /// From the panel's queue events: an answered call, an abandoned one, and one still waiting.
        @Test func queueCallsAreBuiltFromTheTelephonyEvents() async throws {
            try await withStore { store, rows in
                try await rows.queueEvent(100, call: "1700000000.1", at: Self.at(0), "ENTERQUEUE", ["", "+4930123", "1"])
                try await rows.queueEvent(200, call: "1700000000.1", at: Self.at(12), agent: "SIP/2", "CONNECT", ["12", "x", "3"])
                try await rows.queueEvent(
                    300, call: "1700000000.1", at: Self.at(200), agent: "SIP/2", "COMPLETECALLER", ["12", "188", "1"])
                try await rows.queueEvent(400, call: "1700000000.2", at: Self.at(3), queue: "sales", "ENTERQUEUE", ["", "555", "1"])
                try await rows.queueEvent(500, call: "1700000000.2", at: Self.at(43), queue: "sales", "ABANDON", ["1", "1", "40"])
                try await rows.queueEvent(600, call: "1700000000.3", at: Self.at(5), "ENTERQUEUE", ["", "777", "2"])
                // The call still waiting is not even queued: a queue call is queued when it ends (0020).
                #expect(try await store.buildDue(limit: 50, graceSeconds: Self.grace) == CdrBuildReport(taken: 2, built: 2))
                #expect(try await rows.count("SELECT count(*)::int FROM cdr_pending") == 0)

                let (answered, _) = try #require(try await rows.cdr(.queue, source: "pbx1", key: "1700000000.1"))
                #expect(answered.callID == CallDetailRecord.queueCallIDOffset + answered.id && answered.callRowID == nil)
                #expect(answered.initiatorPhone == "+4930123" && answered.callType == "inbound" && answered.scenarioID == "")
                #expect(answered.startTime == Self.at(0) && answered.endTime == Self.at(200) && answered.durationSeconds == 200)
                #expect(answered.callResult == "completed" && answered.operatorID == nil && answered.operatorName == "SIP/2")
                #expect(answered.numberOfConnections == 1 && answered.numberOfEvents == 3)
                #expect(answered.waitSeconds == 12 && answered.talkSeconds == 188 && answered.holdSeconds == 0 && answered.answered)
                #expect(answered.queue == "support" && answered.agent == "SIP/2" && answered.complete)

                let (abandoned, _) = try #require(try await rows.cdr(.queue, source: "pbx1", key: "1700000000.2"))
                #expect(abandoned.callID == CallDetailRecord.queueCallIDOffset + abandoned.id && abandoned.id != answered.id)
                #expect(abandoned.callResult == "abandoned" && abandoned.durationSeconds == 40 && !abandoned.answered)
                #expect(abandoned.numberOfConnections == 0 && abandoned.waitSeconds == nil && abandoned.talkSeconds == 0)
                #expect(abandoned.queue == "sales" && abandoned.agent == nil && abandoned.initiatorPhone == "555")
                #expect(try await rows.cdr(.queue, source: "pbx1", key: "1700000000.3") == nil)

                // A late event of the answered call: a new version that keeps its call_id.
                try await rows.queueEvent(150, call: "1700000000.1", at: Self.at(6), agent: "SIP/1", "RINGNOANSWER", ["6000"])
                #expect(try await store.buildDue(limit: 50, graceSeconds: Self.grace) == CdrBuildReport(taken: 1, rebuilt: 1))
                let (again, _) = try #require(try await rows.cdr(.queue, source: "pbx1", key: "1700000000.1"))
                #expect(again.version == 2 && again.callID == answered.callID && again.numberOfEvents == 4)
            }
        }

        /// Two builders draining one queue at once, in small batches: every CDR built exactly once.
        @Test func twoBuildersBuildEachCDROnce() async throws {
            let calls = 60
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { first in
                    try await TestServices.withPostgres(url) { second in
                        let rows = CdrSourceRows(client: first)
                        for id in 1...calls { try await Self.writeFinishedCall(rows, id: Int64(id)) }
                        let builders = [first, second].map { PostgresCdrBuilderStore(client: $0, logger: TestServices.logger) }
                        let reports = try await withThrowingTaskGroup(of: [CdrBuildReport].self) { group in
                            for builder in builders {
                                group.addTask {
                                    var reports: [CdrBuildReport] = []
                                    for _ in 0..<100 {
                                        let report = try await builder.buildDue(limit: 4, graceSeconds: Self.grace)
                                        if report.taken == 0 { break }
                                        reports.append(report)
                                    }
                                    return reports
                                }
                            }
                            return try await group.reduce(into: []) { $0.append(contentsOf: $1) }
                        }
                        #expect(reports.map(\.built).reduce(0, +) == calls)
                        #expect(reports.map(\.taken).reduce(0, +) == calls)
                        #expect(reports.allSatisfy { $0.rebuilt == 0 && $0.unchanged == 0 })
                        #expect(try await rows.count("SELECT count(*) FROM cdrs WHERE version = 1 AND complete") == calls)
                        #expect(try await rows.count("SELECT count(*) FROM cdr_pending") == 0)
                    }
                }
            }
        }

        /// The worker's role builds what becomes due while it runs, counts it, and stops when the group shuts
        /// down.
        @Test func theRoleBuildsWhileRunningAndStopsGracefully() async throws {
            // The metrics backend is bootstrapped on first use of the registry: before the role counts.
            let registry = testMetricsRegistry
            try await withStore { store, rows in
                var timing = CdrBuilderTiming()
                timing.idlePoll = .milliseconds(50)
                let role = CdrBuilderRole(store: store, graceSeconds: Self.grace, timing: timing, logger: TestServices.logger)
                let group = ServiceGroup(configuration: .init(services: [role], logger: TestServices.logger))
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    try await Self.writeFinishedCall(rows)
                    try await expectEventually("the role built the CDR", within: 20) { try await rows.cdr(key: "4711") != nil }
                    try await rows.event(47119, call: 4711, "call_resumed")
                    try await expectEventually("the role built version 2", within: 20) {
                        try await rows.cdr(key: "4711")?.0.version == 2
                    }
                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
                let metrics = registry.emitToString()
                #expect(metrics.contains(#"calls_cdr_builds_total{outcome="built"}"#))
                #expect(metrics.contains(#"calls_cdr_builds_total{outcome="rebuilt"}"#))
                #expect(metrics.contains(#"calls_cdr_pending{state="due"}"#))
            }
        }
    }
}
