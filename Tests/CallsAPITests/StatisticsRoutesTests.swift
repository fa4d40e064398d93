@testable import CallsAPI
import CallsCore
import CallsStore
import Foundation
import HummingbirdTesting
import TestSupport
import Testing

/// `/statistics` over a handful of CDRs whose figures are worked out by hand here, so the definitions of
/// the averages are checked, not just repeated (the integration tests compare PostgreSQL with the twin on
/// thousands of random records).
@Suite struct StatisticsRoutesTests {
    static func at(_ text: String) -> Date { Timestamp.parse(text)! }

    static func cdr(
        _ id: Int64, _ start: String, source: String = "crm", type: String = "inbound", wait: Int?, talk: Int, duration: Int,
        operator op: Int64?, name: String?
    ) -> CallDetailRecord {
        var random = RandomCdrs(seed: UInt64(id))
        var record = random.record(id: id, start: at(start))
        record.source = source
        record.callType = type
        record.waitSeconds = wait
        record.answered = wait != nil
        record.talkSeconds = talk
        record.durationSeconds = duration
        record.operatorID = op
        record.operatorName = name
        return record
    }

    static let records = [
        cdr(1, "2026-01-01T10:15:00Z", wait: 10, talk: 100, duration: 120, operator: 1, name: "Ann"),
        cdr(2, "2026-01-01T10:45:00Z", type: "outbound", wait: nil, talk: 0, duration: 30, operator: nil, name: nil),
        cdr(3, "2026-01-01T11:00:00Z", source: "pbx2", wait: 20, talk: 200, duration: 230, operator: 2, name: "Bob"),
        cdr(4, "2026-01-02T09:00:00Z", wait: 5, talk: 50, duration: 60, operator: 1, name: "Ann B"),
        cdr(5, "2026-01-03T00:00:00Z", wait: 1, talk: 1, duration: 1, operator: 3, name: nil),
    ]

    static func get(_ client: any TestClientProtocol, _ uri: String) async throws -> [String: Any] {
        try await client.execute(uri: uri, method: .get) { response in
            #expect(response.status == .ok, "\(uri): \(String(buffer: response.body))")
            return try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
        }
    }

    static func run(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let store = InMemoryCdrStore(records)
        try await RouteHarness.run(configure: { $0.cdrs = store }) { _, client in try await body(client) }
    }

    static func expectSummary(
        _ object: [String: Any], total: Int, answered: Int, duration: Int, avgDuration: Double?, avgWait: Double?,
        avgTalk: Double?, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(object["total_calls"] as? Int == total, sourceLocation: sourceLocation)
        #expect(object["answered_calls"] as? Int == answered, sourceLocation: sourceLocation)
        #expect(object["unanswered_calls"] as? Int == total - answered, sourceLocation: sourceLocation)
        #expect(object["total_duration_seconds"] as? Int == duration, sourceLocation: sourceLocation)
        for (key, expected) in [("avg_duration_seconds", avgDuration), ("avg_wait_seconds", avgWait), ("avg_talk_seconds", avgTalk)] {
            if let expected {
                #expect(abs((object[key] as? Double ?? -1) - expected) < 1e-9, "\(key)", sourceLocation: sourceLocation)
            } else {
                #expect(object[key] is NSNull, "\(key)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func summaryOfAPeriodWithAndWithoutFilters() async throws {
        try await Self.run { client in
            let period = "from=2026-01-01T00:00:00Z&to=2026-01-03T00:00:00Z"
            let all = try await Self.get(client, "/statistics/calls/summary?\(period)")
            #expect(all.count == 7)
            // Record 5 starts exactly at `to`: the period is half-open.
            Self.expectSummary(all, total: 4, answered: 3, duration: 440, avgDuration: 110, avgWait: 35.0 / 3, avgTalk: 350.0 / 3)
            let crm = try await Self.get(client, "/statistics/calls/summary?\(period)&source=crm")
            Self.expectSummary(crm, total: 3, answered: 2, duration: 210, avgDuration: 70, avgWait: 7.5, avgTalk: 75)
            let inbound = try await Self.get(client, "/statistics/calls/summary?\(period)&source=crm&call_type=inbound")
            Self.expectSummary(inbound, total: 2, answered: 2, duration: 180, avgDuration: 90, avgWait: 7.5, avgTalk: 75)
            let empty = try await Self.get(client, "/statistics/calls/summary?from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z")
            Self.expectSummary(empty, total: 0, answered: 0, duration: 0, avgDuration: nil, avgWait: nil, avgTalk: nil)
        }
    }

    @Test func summarySeriesByHourAndDay() async throws {
        try await Self.run { client in
            let hours = try await Self.get(
                client, "/statistics/calls/summary?from=2026-01-01T10:30:00Z&to=2026-01-01T12:00:00Z&group_by=hour")
            #expect(hours["group_by"] as? String == "hour")
            let buckets = hours["buckets"] as! [[String: Any]]
            #expect(buckets.map { $0["start"] as? String } == ["2026-01-01T10:00:00.000Z", "2026-01-01T11:00:00.000Z"])
            Self.expectSummary(buckets[0], total: 1, answered: 0, duration: 30, avgDuration: 30, avgWait: nil, avgTalk: nil)
            Self.expectSummary(buckets[1], total: 1, answered: 1, duration: 230, avgDuration: 230, avgWait: 20, avgTalk: 200)
            let days = try await Self.get(
                client, "/statistics/calls/summary?from=2026-01-01T00:00:00Z&to=2026-01-04T00:00:00Z&group_by=day")
            let dayBuckets = days["buckets"] as! [[String: Any]]
            #expect(
                dayBuckets.map { $0["start"] as? String } == [
                    "2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z", "2026-01-03T00:00:00.000Z",
                ])
            Self.expectSummary(dayBuckets[0], total: 3, answered: 2, duration: 380, avgDuration: 380.0 / 3, avgWait: 15, avgTalk: 150)
            Self.expectSummary(dayBuckets[1], total: 1, answered: 1, duration: 60, avgDuration: 60, avgWait: 5, avgTalk: 50)
        }
    }

    @Test func operatorsWithTheirLatestNames() async throws {
        try await Self.run { client in
            let body = try await Self.get(client, "/statistics/operators?from=2026-01-01T00:00:00Z&to=2026-01-03T00:00:00Z")
            let operators = body["operators"] as! [[String: Any]]
            #expect(operators.map { $0["operator_id"] as? Int } == [1, 2])
            #expect(operators[0]["operator_name"] as? String == "Ann B")
            #expect(operators[0]["call_count"] as? Int == 2)
            #expect(operators[0]["avg_call_duration_seconds"] as? Double == 90)
            #expect(operators[0]["total_talk_seconds"] as? Int == 150)
            #expect(operators[1]["operator_name"] as? String == "Bob")
            #expect(operators[1]["avg_call_duration_seconds"] as? Double == 230)
            // Operator 3 never had a name.
            let later = try await Self.get(client, "/statistics/operators?from=2026-01-03T00:00:00Z&to=2026-01-04T00:00:00Z")
            let third = (later["operators"] as! [[String: Any]])[0]
            #expect(third["operator_id"] as? Int == 3 && third["operator_name"] is NSNull)
            let days = try await Self.get(
                client, "/statistics/operators?from=2026-01-01T00:00:00Z&to=2026-01-03T00:00:00Z&group_by=day")
            #expect(days["group_by"] as? String == "day")
            let buckets = days["buckets"] as! [[String: Any]]
            #expect(buckets.map { $0["start"] as? String } == ["2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z"])
            let first = buckets[0]["operators"] as! [[String: Any]]
            #expect(first.map { $0["operator_id"] as? Int } == [1, 2])
            #expect(first[0]["call_count"] as? Int == 1 && first[0]["total_talk_seconds"] as? Int == 100)
            #expect(first[0]["operator_name"] as? String == "Ann B")
        }
    }

    @Test func refusedParametersAreProblemsNamingTheField() async throws {
        try await Self.run { client in
            let cases: [(String, [String])] = [
                ("/statistics/calls/summary", ["from", "to"]),
                ("/statistics/calls/summary?from=2026-01-01T00:00:00Z", ["to"]),
                ("/statistics/operators?to=2026-01-01T00:00:00Z", ["from"]),
                ("/statistics/calls/summary?from=soon&to=2026-01-01T00:00:00Z", ["from"]),
                ("/statistics/operators?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", ["to"]),
                ("/statistics/calls/summary?from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", ["to"]),
                ("/statistics/calls/summary?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&group_by=week", ["group_by"]),
                ("/statistics/operators?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&group_by=hour", ["group_by"]),
                (
                    "/statistics/calls/summary?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&source=\(String(repeating: "x", count: 201))",
                    ["source"]
                ),
            ]
            for (uri, fields) in cases {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .unprocessableContent, "\(uri)")
                    let problem = JSONBody(response.body).problem
                    #expect(problem?.code == "validation_failed", "\(uri)")
                    #expect(problem?.errors?.map(\.field) == fields, "\(uri)")
                }
            }
            // 1000 hourly buckets are allowed.
            try await client.expectStatus(
                .ok, .get, "/statistics/calls/summary?from=2026-01-01T00:00:00Z&to=2026-02-11T16:00:00Z&group_by=hour")
        }
    }
}
