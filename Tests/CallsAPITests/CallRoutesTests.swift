import CallsCore
import CallsStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

@Suite struct CallRoutesTests {
    @Test func createsACall() async throws {
        try await RouteHarness.run { _, client in
            let (status, body) = try await client.json(
                .post, "/calls",
                """
                {"caller": "+7 900 123-45-67", "receiver": "442079460958", "started_at": "2026-11-21T12:30:00+03:00"}
                """)
            #expect(status == .created)
            let call = try body.decode(Call.self)
            #expect(call.status == .created)
            #expect(call.caller == "+7 900 123-45-67")
            #expect(call.startedAt == Timestamp.parse("2026-11-21T09:30:00Z"))
            #expect(call.recording == nil)
            // The wire form of the instant and of the absent recording (decoding cannot tell null from missing).
            #expect(body.description.contains(#""started_at":"2026-11-21T09:30:00.000Z""#), "\(body)")
            #expect(body.description.contains(#""recording":null"#), "\(body)")
        }
    }

    @Test func createsACallWithStationFacts() async throws {
        try await RouteHarness.run { _, client in
            let (status, body) = try await client.json(
                .post, "/calls",
                """
                {"caller": "+100", "receiver": "+200", "started_at": "2026-11-21T09:30:00Z",
                 "station": {"name": "pbx-1", "call_id": "c-42", "direction": "outbound", "answered_at": "2026-11-21T09:30:07.5Z",
                             "ended_at": "2026-11-21T09:31:00Z", "hangup_cause": "NORMAL_CLEARING", "duration_sec": 60,
                             "billable_sec": 52}}
                """)
            #expect(status == .created)
            let wire =
                #""station":{"answered_at":"2026-11-21T09:30:07.500Z","billable_sec":52,"call_id":"c-42","direction":"outbound","#
                + #""duration_sec":60,"ended_at":"2026-11-21T09:31:00.000Z","hangup_cause":"NORMAL_CLEARING","name":"pbx-1"}"#
            #expect(body.description.contains(wire), "\(body)")
            let id = try body.decode(Call.self).id.lowercasedString
            let (found, again) = try await client.json(.get, "/calls/\(id)")
            #expect(found == .ok)
            #expect(
                try again.decode(Call.self).station
                    == StationFacts(
                        name: "pbx-1", callID: "c-42", direction: "outbound", answeredAt: Timestamp.parse("2026-11-21T09:30:07.5Z"),
                        endedAt: Timestamp.parse("2026-11-21T09:31:00Z"), hangupCause: "NORMAL_CLEARING", durationSec: 60, billableSec: 52))
            // Without the object every key of a call is still there, null.
            let (_, plain) = try await client.json(
                .post, "/calls", #"{"caller": "+100", "receiver": "+200", "started_at": "2026-11-21T09:30:00Z"}"#)
            #expect(plain.description.contains(#""station":null"#), "\(plain)")
        }
    }

    @Test func refusesBadStationFactsFieldByField() async throws {
        try await RouteHarness.run { _, client in
            let start = #"{"caller": "+100", "receiver": "+200", "started_at": "2026-11-21T09:30:00Z", "#
            try await client.execute(
                uri: "/calls", method: .post, headers: [.contentType: "application/json"],
                body: .init(string: start + #""station": {"direction": "up", "ended_at": "2026-11-21T09:00:00Z", "billable_sec": -1}}"#)
            ) { response in
                #expect(response.status == .unprocessableContent)
                let problem = try JSONBody(response.body).decode(ProblemDocument.self)
                #expect(problem.code == "validation_failed")
                #expect(problem.errors?.map(\.field) == ["station.name", "station.direction", "station.ended_at", "station.billable_sec"])
            }
            // A count that is not a whole number is refused under its own field, with the other problems.
            let (status, problem) = try await client.json(
                .post, "/calls", start + #""station": {"name": "pbx", "duration_sec": "60", "billable_sec": 1e30}}"#)
            #expect(status == .unprocessableContent)
            #expect(problem.problem?.code == "validation_failed")
            #expect(problem.problem?.errors?.map(\.field) == ["station.duration_sec", "station.billable_sec"])
            // A station that is not an object is not a call.
            let (notObject, refusal) = try await client.json(.post, "/calls", start + #""station": "pbx-1"}"#)
            #expect(notObject == .unprocessableContent && refusal.problem?.code == "validation_failed")
        }
    }

    @Test func acceptsTrailingSlashesWithoutRedirect() async throws {
        try await RouteHarness.run { _, client in
            let (created, call) = try await client.json(
                .post, "/calls/",
                """
                {"caller": "+100", "receiver": "+200", "started_at": "2026-11-21T09:30:00Z"}
                """, as: Call.self)
            #expect(created == .created)
            let id = call.id.lowercasedString
            #expect(try await client.json(.get, "/calls/\(id)/").0 == .ok)
            #expect(try await client.json(.get, "/calls/").0 == .ok)
        }
    }

    @Test func listsEveryInvalidFieldAsProblem() async throws {
        try await RouteHarness.run { _, client in
            try await client.execute(
                uri: "/calls", method: .post, headers: [.contentType: "application/json"],
                body: .init(string: #"{"caller": "12", "receiver": "x", "started_at": "soon"}"#)
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.headers[.contentType] == "application/problem+json")
                let problem = try JSONBody(response.body).decode(ProblemDocument.self)
                #expect(problem.code == "validation_failed")
                let fields = problem.errors?.map(\.field)
                #expect(fields == ["receiver", "started_at"])
            }
        }
    }

    @Test(arguments: ["not json", "[]", #"{"caller": 5}"#])
    func rejectsBodiesThatAreNotACall(body: String) async throws {
        try await RouteHarness.run { _, client in
            let (status, problem) = try await client.json(.post, "/calls", body)
            #expect(status == .unprocessableContent)
            #expect(problem.problem?.code == "validation_failed")
        }
    }

    @Test(arguments: ["0b8d5c4e-1f0a-4c0b-9b1e-6a1d2c3e4f50", "not-a-uuid"])
    func unknownCallsAreNotFound(id: String) async throws {
        try await RouteHarness.run { _, client in
            let (status, problem) = try await client.json(.get, "/calls/\(id)")
            #expect(status == .notFound)
            #expect(problem.problem?.code == "call_not_found")
        }
    }

    @Test func searchesByEitherPartysDigits() async throws {
        try await RouteHarness.run { _, client in
            let first = try await client.createCall(caller: "+7 900 111-22-33", receiver: "+1 555 0100")
            let second = try await client.createCall(caller: "+1 555 0199", receiver: "+7 900 444-55-66")
            _ = try await client.createCall(caller: "+49 30 1234", receiver: "+49 30 5678")

            for query in ["%2B7900", "7900", "+7900", "7%20900"] {
                let (status, page) = try await client.json(.get, "/calls?query=\(query)", as: CallListPage.self)
                #expect(status == .ok)
                #expect(page.total == 2, "query \(query)")
                let ids = Set(page.ids)
                #expect(ids == [first, second], "query \(query)")
            }
            let (_, all) = try await client.json(.get, "/calls", as: CallListPage.self)
            #expect(all.total == 3)
            let (_, paged) = try await client.json(.get, "/calls?limit=1&offset=1", as: CallListPage.self)
            #expect(paged.total == 3)
            #expect(paged.items.count == 1)
        }
    }

    @Test(arguments: [
        ("limit=0", "limit"), ("limit=201", "limit"), ("limit=ten", "limit"), ("offset=-1", "offset"),
        ("query=abc", "query"), ("phone=1", "phone"), ("phone=%2B1%20555%20abc", "phone"),
        ("from=yesterday", "from"), ("to=2026-13-01T00:00:00Z", "to"),
        ("from=2026-11-21T10:00:00Z&to=2026-11-21T10:00:00Z", "to"), ("status=done", "status"),
        ("status=ready,done", "status"), ("sort=caller", "sort"), ("tag=" + String(repeating: "x", count: 65), "tag"),
        ("cursor=not-a-cursor", "cursor"), ("offset=10001", "offset"),
        ("cursor=" + CallRoutesTests.rawCursor("v1.d.9223372036854775807.\(UUID())"), "cursor"),
        ("cursor=" + CallRoutesTests.rawCursor("v1.a.-9223372036854775808.\(UUID())"), "cursor"),
        ("cursor=\(CallCursor(startedAtMicros: 1, id: UUID(), order: .newestFirst).token)&offset=5", "offset"),
        ("cursor=\(CallCursor(startedAtMicros: 1, id: UUID(), order: .newestFirst).token)&sort=started_at", "cursor"),
    ])
    func rejectsBadListParameters(parameters: String, field: String) async throws {
        // Each is refused before any query: a crafted cursor once reached PostgreSQL as "interval out of range"
        // (a 500), and a huge offset made it walk the whole index.
        try await RouteHarness.run { _, client in
            let (status, problem) = try await client.json(.get, "/calls?\(parameters)")
            #expect(status == .unprocessableContent)
            #expect(problem.problem?.code == "validation_failed")
            let fields = (problem.problem?.errors ?? []).map(\.field)
            #expect(fields.contains(field), "\(parameters): \(problem)")
        }
    }

    @Test func pagesByCursorOverTheInMemoryTwinToo() async throws {
        try await RouteHarness.run { _, client in
            var created: [String] = []
            for _ in 0..<5 { created.append(try await client.createCall(caller: "+1 555 0100", receiver: "+1 555 0101")) }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let (_, page) = try await client.json(
                    .get, "/calls?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), as: CallListPage.self)
                seen += page.ids
                cursor = page.nextCursor
            } while cursor != nil && seen.count < 10
            #expect(Set(seen) == Set(created) && seen.count == 5)
        }
    }

    @Test func unknownRoutesAnswerWithAProblem() async throws {
        try await RouteHarness.run { _, client in
            let (status, problem) = try await client.json(.get, "/nowhere")
            #expect(status == .notFound)
            #expect(problem.problem?.code == "not_found")
        }
    }

    @Test func healthAndReadiness() async throws {
        try await RouteHarness.run(configure: { $0.readinessCacheInterval = .zero }) { harness, client in
            #expect(try await client.json(.get, "/healthz").0 == .ok)
            let (ready, checks) = try await client.json(.get, "/readyz", as: ReadinessDocument.self)
            #expect(ready == .ok)
            #expect(checks.status == "ready")
            harness.queue.setFailing(true)
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "5")
            }
        }
    }

    /// A flood of readiness probes asks the dependencies once per interval; a failure shows once it is over.
    @Test func readinessIsCheckedOncePerInterval() async throws {
        try await RouteHarness.run(configure: { $0.readinessCacheInterval = .seconds(600) }) { harness, client in
            for _ in 0..<20 {
                let (status, _) = try await client.json(.get, "/readyz")
                #expect(status == .ok)
            }
            #expect(harness.queue.pings == 1)
        }
    }

    /// A cursor token as the API would encode `plain`, whatever `plain` says.
    static func rawCursor(_ plain: String) -> String {
        Data(plain.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
