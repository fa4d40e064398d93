@testable import CallsAPI
import CallsCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import QueuePanel
import Testing
import TestSupport

/// `POST /events` over an in-memory stream: what is accepted, counted as sent before, or refused, and why.
@Suite struct EventIngestRouteTests {
    struct Answer: Decodable, Equatable {
        struct Rejected: Decodable, Equatable {
            var line: Int?
            var index: Int?
            var reason: String
        }

        var accepted: Int
        var duplicates: Int
        var unknown: Int
        var rejected: [Rejected]
    }

    /// A minute ago: events are refused when older than the retention or ahead of the clock.
    static let epoch = Int(Date().timeIntervalSince1970) - 60

    static let lines = """
        \(epoch)|NONE|support|SIP/1|ADDMEMBER|
        \(epoch + 7)|c-1|support|NONE|ENTERQUEUE||+49301|1
        not a queue_log line
        \(epoch + 14)|c-1|support|SIP/1|CONNECT|7|x|2
        \(epoch + 21)|c-1|support|NONE|DID|5551234

        """

    func withIngest(
        limits: EventIngestSettings = EventIngestSettings(),
        _ body: @escaping @Sendable (InMemoryTelephonyIngest, any TestClientProtocol) async throws -> Void
    ) async throws {
        let ingest = InMemoryTelephonyIngest()
        try await RouteHarness.run(configure: {
            $0.telephony = ingest
            $0.eventLimits = limits
        }) { _, client in
            try await body(ingest, client)
        }
    }

    func post(
        _ client: any TestClientProtocol, _ body: String, contentType: String? = "text/plain",
        query: String = "?source=pbx1&offset=1000"
    ) async throws -> (HTTPResponse.Status, JSONBody) {
        var headers: HTTPFields = [:]
        if let contentType { headers[.contentType] = contentType }
        return try await client.execute(uri: "/events\(query)", method: .post, headers: headers, body: ByteBuffer(string: body)) {
            ($0.status, JSONBody($0.body))
        }
    }

    @Test func queueLogLinesAreNamedByTheirByteOffsetAndABadLineIsRefusedAlone() async throws {
        try await withIngest { ingest, client in
            let (status, body) = try await post(client, Self.lines)
            #expect(status == .accepted)
            #expect(
                try body.decode(Answer.self)
                    == Answer(
                        accepted: 4, duplicates: 0, unknown: 1,
                        rejected: [.init(line: 3, index: nil, reason: "expected epoch|callid|queue|agent|EVENT[|data…], found 1 fields")]))
            let published = ingest.published
            let lineStarts = Self.lines.split(separator: "\n", omittingEmptySubsequences: false).reduce(into: [1000]) {
                $0.append($0.last! + $1.utf8.count + 1)
            }
            #expect(published.map(\.id) == ["\(lineStarts[0])", "\(lineStarts[1])", "\(lineStarts[3])", "\(lineStarts[4])"])
            #expect(published.allSatisfy { $0.source == "pbx1" })
            #expect(published.map(\.name.text) == ["ADDMEMBER", "ENTERQUEUE", "CONNECT", "DID"])
        }
    }

    @Test func aRetriedPostChangesNothing() async throws {
        try await withIngest { ingest, client in
            _ = try await post(client, Self.lines)
            ingest.applyPublished()
            let (status, body) = try await post(client, Self.lines)
            #expect(status == .accepted)
            let answer = try body.decode(Answer.self)
            #expect(answer.accepted == 0 && answer.duplicates == 4 && answer.rejected.count == 1)
            #expect(ingest.published.count == 4)
            // The same lines at another offset are other events.
            let (_, moved) = try await post(client, Self.lines, query: "?source=pbx1&offset=5000")
            #expect(try moved.decode(Answer.self).accepted == 4)
            // A key twice in one body counts once.
            let twice =
                #"[{"source":"s","event_id":"e1","time":\#(Self.epoch),"call_id":"c","queue":"q","agent":"a","event":"ABANDON","data":["1","1","5"]},{"source":"s","event_id":"e1","time":\#(Self.epoch),"call_id":"c","queue":"q","agent":"a","event":"ABANDON","data":["1","1","5"]}]"#
            let (_, json) = try await post(client, twice, contentType: "application/json", query: "")
            #expect(try json.decode(Answer.self) == Answer(accepted: 1, duplicates: 1, unknown: 0, rejected: []))
        }
    }

    @Test func jsonEventsComeAsAnArrayOrOnePerLine() async throws {
        let event =
            #"{"source":"pbx2","event_id":"%@","time":\#(Self.epoch),"call_id":"c","queue":"q","agent":"SIP/1","event":"ADDMEMBER","data":[]}"#
        let ndjson = [event.replacingOccurrences(of: "%@", with: "a"), "{\"broken\": ", event.replacingOccurrences(of: "%@", with: "b")]
            .joined(separator: "\n")
        try await withIngest { ingest, client in
            let (status, body) = try await post(client, ndjson, contentType: "application/x-ndjson; charset=utf-8", query: "")
            #expect(status == .accepted)
            let answer = try body.decode(Answer.self)
            #expect(answer.accepted == 2 && answer.rejected.map(\.index) == [1] && answer.rejected.first?.line == nil)
            #expect(ingest.published.map(\.id) == ["a", "b"])
            let (arrayStatus, arrayBody) = try await post(
                client, "[\(event.replacingOccurrences(of: "%@", with: "c")), 5]", contentType: "application/json", query: "")
            #expect(arrayStatus == .accepted)
            #expect(try arrayBody.decode(Answer.self).rejected.map(\.index) == [1])
            let (broken, problem) = try await post(client, "[{", contentType: "application/json", query: "")
            #expect(broken == .badRequest && problem.problem?.code == "invalid_events_body")
        }
    }

    @Test(arguments: [
        ("", "source"), ("?offset=0", "source"), ("?source=pbx1", "offset"), ("?source=pbx1&offset=-1", "offset"),
        ("?source=pbx1&offset=ten", "offset"), ("?source=a%20b&offset=0", "source"), ("?source=a%7Cb&offset=0", "source"),
    ])
    func aQueueLogWithoutItsOriginIsRefused(query: String, field: String) async throws {
        try await withIngest { ingest, client in
            let (status, body) = try await post(client, Self.lines, query: query)
            #expect(status == .unprocessableContent)
            #expect(body.problem?.code == "validation_failed")
            #expect(body.problem?.errors?.map(\.field).contains(field) == true)
            #expect(ingest.published.isEmpty)
        }
    }

    @Test(arguments: [nil, "application/xml", "multipart/form-data; boundary=x"] as [String?])
    func anotherContentTypeIsRefused(contentType: String?) async throws {
        try await withIngest { ingest, client in
            let (status, body) = try await post(client, Self.lines, contentType: contentType)
            #expect(status == .unsupportedMediaType && body.problem?.code == "unsupported_content_type")
            #expect(ingest.published.isEmpty)
        }
    }

    @Test func bodiesPastTheLimitsAreRefusedWhole() async throws {
        var limits = EventIngestSettings()
        limits.maxBodyBytes = 2048
        limits.maxLines = 3
        try await withIngest(limits: limits) { ingest, client in
            let (lines, linesBody) = try await post(client, Self.lines)
            #expect(lines == .contentTooLarge && linesBody.problem?.code == "too_many_events")
            let big =
                String(repeating: "\(Self.epoch)|NONE|support|SIP/1|ADDMEMBER|\n", count: 2)
                + String(repeating: "x", count: 3000)
            let (bytes, bytesBody) = try await post(client, big)
            #expect(bytes == .contentTooLarge && bytesBody.problem?.code == "events_too_large")
            let manyJSON = "[" + Array(repeating: "{}", count: 4).joined(separator: ",") + "]"
            let (json, jsonBody) = try await post(client, manyJSON, contentType: "application/json", query: "")
            #expect(json == .contentTooLarge && jsonBody.problem?.code == "too_many_events")
            #expect(ingest.published.isEmpty)
            // Exactly at the limits is fine.
            let (fits, _) = try await post(client, String(Self.lines.split(separator: "\n").prefix(3).joined(separator: "\n")))
            #expect(fits == .accepted)
        }
    }

    @Test func hugeLinesAndNulBytesAreRefusedOneByOne() async throws {
        let huge = "\(Self.epoch)|c|q|a|ENTERQUEUE|" + String(repeating: "9", count: 5000)
        let body =
            "\(Self.epoch)|NONE|q|SIP/1|ADDMEMBER|\n\(huge)\n\(Self.epoch)|c\u{0}|q|a|ENTERQUEUE||1|1\nnot-a-time|c|q|a|ENTERQUEUE\n1|c|q|a\n"
        try await withIngest { ingest, client in
            let (status, answerBody) = try await post(client, body)
            #expect(status == .accepted)
            let answer = try answerBody.decode(Answer.self)
            #expect(answer.accepted == 1)
            #expect(answer.rejected.map(\.line) == [2, 3, 4, 5])
            #expect(ingest.published.map(\.name.text) == ["ADDMEMBER"])
        }
    }

    @Test func aFullBacklogRefusesTheWholeRequestForNow() async throws {
        try await withIngest { ingest, client in
            ingest.setCapacity(2)
            let (status, body) = try await client.execute(
                uri: "/events?source=pbx1&offset=0", method: .post, headers: [.contentType: "text/plain"],
                body: ByteBuffer(string: Self.lines)
            ) { ($0.status, $0) }
            #expect(status == .serviceUnavailable)
            #expect(JSONBody(body.body).problem?.code == "events_backlog_full")
            #expect(body.headers[.retryAfter] == "5")
            #expect(ingest.published.isEmpty)
        }
    }

    @Test func withoutRedisNothingIsTakenAndWithoutPostgreSQLEverythingIs() async throws {
        try await withIngest { ingest, client in
            ingest.setStreamFails(true)
            let (down, body) = try await post(client, Self.lines)
            #expect(down == .serviceUnavailable && body.problem?.code == "queue_unavailable")
            #expect(ingest.published.isEmpty)
            ingest.setStreamFails(false)
            ingest.setStoreFails(true)
            let (status, answer) = try await post(client, Self.lines)
            #expect(status == .accepted)
            #expect(try answer.decode(Answer.self).accepted == 4)
        }
    }

    /// An offset near the top of Int64 would overflow as the lines are counted: it is refused, whole.
    @Test(arguments: ["9223372036854775800", "9007199254740993", "99999999999999999999"])
    func anOffsetPastTheCapIsRefused(offset: String) async throws {
        try await withIngest { ingest, client in
            let (status, body) = try await post(client, Self.lines, query: "?source=pbx1&offset=\(offset)")
            #expect(status == .unprocessableContent)
            #expect(body.problem?.errors?.map(\.field) == ["offset"])
            #expect(ingest.published.isEmpty)
            let (top, _) = try await post(client, Self.lines, query: "?source=pbx1&offset=9007199254740992")
            #expect(top == .accepted)
        }
    }

    @Test func eventsOlderThanTheRetentionOrAheadOfTheClockAreRefusedOneByOne() async throws {
        let now = Int(Date().timeIntervalSince1970)
        let body = """
            \(now - 8 * 86_400)|NONE|q|SIP/1|ADDMEMBER|
            \(now - 30)|NONE|q|SIP/2|ADDMEMBER|
            \(now + 3600)|NONE|q|SIP/3|ADDMEMBER|

            """
        try await withIngest { ingest, client in
            let (status, answer) = try await post(client, body)
            #expect(status == .accepted)
            let decoded = try answer.decode(Answer.self)
            #expect(decoded.accepted == 1)
            #expect(decoded.rejected.map(\.line) == [1, 3])
            #expect(decoded.rejected[0].reason.contains("older than the 7 days"))
            #expect(decoded.rejected[1].reason.contains("ahead of the server's clock"))
            #expect(ingest.published.map(\.agent) == ["SIP/2"])
        }
    }

    /// The item count is taken before the JSON is parsed: a huge array costs a byte scan, not its parse.
    @Test func aJSONBodyOverTheLimitIsRefusedBeforeItIsParsed() async throws {
        var limits = EventIngestSettings()
        limits.maxLines = 3
        try await withIngest(limits: limits) { ingest, client in
            for body in ["[{},{},{},{}]", "{}\n{}\n\n{}", "[1,2,3,4]"] {
                let (status, problem) = try await post(client, body, contentType: "application/json", query: "")
                #expect(status == .contentTooLarge && problem.problem?.code == "too_many_events", "\(body)")
            }
            // Elements are counted at the top level only.
            let (nested, answer) = try await post(client, "[[1,2,3,4,5]]", contentType: "application/json", query: "")
            #expect(nested == .accepted)
            #expect(try answer.decode(Answer.self).rejected.map(\.index) == [0])
            #expect(ingest.published.isEmpty)
        }
    }
}
