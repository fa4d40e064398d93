import Activity
@testable import CallsAPI
import CallsCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import TestSupport

/// `POST /api/v1/events` over in-memory partition streams: what is accepted, counted as sent before, or
/// refused, and why; where the accepted events go.
@Suite struct ActivityIngestRouteTests {
    struct Answer: Decodable, Equatable {
        struct Rejected: Decodable, Equatable {
            var index: Int
            var reason: String
        }

        var accepted: Int
        var duplicates: Int
        var rejected: [Rejected]
    }

    /// An hour ago: well inside the months kept, and not ahead of the clock.
    static let recent = Timestamp.format(Date().addingTimeInterval(-3600))

    /// One event's JSON: every field set, `changes` replacing (or, with `NSNull`, removing) some.
    static func event(_ id: String, user: String = "100200300", source: String = "provider-1", _ changes: [String: Any] = [:]) -> String {
        var fields: [String: Any] = [
            "event_id": id, "source_id": source, "user_id": user, "type": "CALL_OUT", "started_at": recent,
            "duration_sec": 127, "bytes_up": 0, "bytes_down": 0, "meta": ["cell": "A1"],
        ]
        for (key, value) in changes { fields[key] = value is NSNull ? nil : value }
        return String(decoding: try! JSONSerialization.data(withJSONObject: fields, options: .sortedKeys), as: UTF8.self)
    }

    static func array(_ events: [String]) -> String { "[" + events.joined(separator: ",") + "]" }

    func withIngest(
        partitions: Int = 8, settings: ActivitySettings = ActivitySettings(),
        _ body: @escaping @Sendable (InMemoryActivityIngest, any TestClientProtocol) async throws -> Void
    ) async throws {
        let ingest = InMemoryActivityIngest(partitions: partitions)
        try await RouteHarness.run(configure: {
            $0.activityIngest = ingest
            $0.activitySettings = settings
        }) { _, client in
            try await body(ingest, client)
        }
    }

    func post(
        _ client: any TestClientProtocol, _ body: String, contentType: String? = "application/json"
    ) async throws -> (HTTPResponse.Status, JSONBody, HTTPFields) {
        var headers: HTTPFields = [:]
        if let contentType { headers[.contentType] = contentType }
        return try await client.execute(uri: "/api/v1/events", method: .post, headers: headers, body: ByteBuffer(string: body)) {
            ($0.status, JSONBody($0.body), $0.headers)
        }
    }

    @Test func aValidBatchGoesToItsUsersPartitionsInTheBodysOrder() async throws {
        let users = (1...12).map { "user-\($0)" }
        let events = (0..<60).map { Self.event("e-\($0)", user: users[$0 % users.count], ["duration_sec": $0]) }
        try await withIngest { ingest, client in
            let (status, body, _) = try await post(client, Self.array(events))
            #expect(status == .accepted)
            #expect(try body.decode(Answer.self) == Answer(accepted: 60, duplicates: 0, rejected: []))
            // Exactly these three fields, as the issue names them.
            let fields = try JSONSerialization.jsonObject(with: body.data) as? [String: Any]
            #expect(fields.map { Set($0.keys) } == ["accepted", "duplicates", "rejected"])

            let partitioner = ActivityPartitioner(partitions: 8)
            let streams = ingest.streams
            #expect(streams.count > 1, "twelve users spread over more than one partition")
            for (partition, stream) in streams {
                #expect(stream.allSatisfy { partitioner.partition(ofUser: $0.userID) == partition })
            }
            for user in users {
                let ofUser = streams.values.flatMap { $0.filter { $0.userID == user } }
                #expect(ofUser.map(\.durationSeconds) == ofUser.map(\.durationSeconds).sorted(), "\(user)'s events in order")
            }
            let published = ingest.published
            #expect(Set(published.map(\.eventID)) == Set((0..<60).map { "e-\($0)" }))
            let first = try #require(published.first { $0.eventID == "e-0" })
            #expect(first.sourceID == "provider-1" && first.type == .callOut && first.meta == #"{"cell":"A1"}"#)
        }
    }

    @Test func eachInvalidEventIsRefusedByItsIndexWithItsReason() async throws {
        let cases: [(String, String)] = [
            (Self.event("bad-type", ["type": "FAX"]), "'type' must be one of"),
            (Self.event("no-user", user: ""), "'user_id' is empty"),
            (Self.event("long-user", user: String(repeating: "9", count: 65)), "'user_id' is longer than 64"),
            (Self.event("no-start", ["started_at": NSNull()]), "'started_at' is missing"),
            (Self.event("ends-early", ["ended_at": Timestamp.format(Date().addingTimeInterval(-7200))]), "'ended_at' is before"),
            (Self.event("negative", ["bytes_up": -1]), "'bytes_up' must not be negative"),
            (Self.event("meta-list", ["meta": [1, 2]]), "'meta' must be an object"),
            (Self.event("meta-big", ["meta": ["x": String(repeating: "m", count: 5000)]]), "'meta' is larger than 4096"),
            (Self.event("ancient", ["started_at": "2001-01-01T00:00:00Z"]), "older than the months of events kept"),
            ("42", "not a JSON object"),
        ]
        try await withIngest { ingest, client in
            let body = Self.array([Self.event("good")] + cases.map(\.0))
            let (status, answerBody, _) = try await post(client, body)
            #expect(status == .accepted)
            let answer = try answerBody.decode(Answer.self)
            #expect(answer.accepted == 1 && answer.duplicates == 0)
            #expect(answer.rejected.map(\.index) == Array(1...cases.count))
            for (rejected, expected) in zip(answer.rejected, cases.map(\.1)) {
                #expect(rejected.reason.contains(expected), "\(rejected)")
            }
            #expect(ingest.published.map(\.eventID) == ["good"])
        }
    }

    @Test func inABatchHalfInvalidOnlyTheValidHalfIsPublished() async throws {
        let events = (0..<20).map { index in
            index.isMultiple(of: 2) ? Self.event("e-\(index)", user: "u-\(index)") : Self.event("e-\(index)", ["type": "UNKNOWN"])
        }
        try await withIngest { ingest, client in
            let (status, body, _) = try await post(client, Self.array(events))
            #expect(status == .accepted)
            let answer = try body.decode(Answer.self)
            #expect(answer.accepted == 10 && answer.duplicates == 0)
            #expect(answer.rejected.map(\.index) == Array(stride(from: 1, to: 20, by: 2)))
            #expect(Set(ingest.published.map(\.eventID)) == Set(stride(from: 0, to: 20, by: 2).map { "e-\($0)" }))
        }
    }

    @Test func aKeyTwiceInTheBodyIsPublishedOnceAsItCameFirst() async throws {
        let events = [
            Self.event("e-1", ["duration_sec": 1]), Self.event("e-1", ["duration_sec": 2]),
            // The same event id from another source is another event.
            Self.event("e-1", source: "provider-2", ["duration_sec": 3]), Self.event("e-1", ["duration_sec": 4]),
        ]
        try await withIngest { ingest, client in
            let (status, body, _) = try await post(client, Self.array(events))
            #expect(status == .accepted)
            #expect(try body.decode(Answer.self) == Answer(accepted: 2, duplicates: 2, rejected: []))
            #expect(ingest.published.map(\.durationSeconds).sorted() == [1, 3])
        }
    }

    @Test func keysStoredBeforeAreDuplicatesAndNotPublishedAgain() async throws {
        try await withIngest { ingest, client in
            ingest.store([ActivityEvent.Key(sourceID: "provider-1", eventID: "old-1"), .init(sourceID: "provider-1", eventID: "old-2")])
            let body = Self.array([Self.event("old-1"), Self.event("new-1"), Self.event("old-2"), Self.event("old-2")])
            let (status, answer, _) = try await post(client, body)
            #expect(status == .accepted)
            #expect(try answer.decode(Answer.self) == Answer(accepted: 1, duplicates: 3, rejected: []))
            #expect(ingest.published.map(\.eventID) == ["new-1"])
        }
    }

    /// The consumers skip what they stored before: without PostgreSQL everything goes on, and only the in-body
    /// duplicates are counted.
    @Test func withoutPostgreSQLEveryUniqueEventIsPublished() async throws {
        try await withIngest { ingest, client in
            ingest.store([ActivityEvent.Key(sourceID: "provider-1", eventID: "old-1")])
            ingest.setStoreFails(true)
            let (status, answer, _) = try await post(client, Self.array([Self.event("old-1"), Self.event("new-1"), Self.event("new-1")]))
            #expect(status == .accepted)
            #expect(try answer.decode(Answer.self) == Answer(accepted: 2, duplicates: 1, rejected: []))
            #expect(Set(ingest.published.map(\.eventID)) == ["old-1", "new-1"])
        }
    }

    @Test(arguments: ["application/x-ndjson", "application/ndjson", "application/jsonl; charset=utf-8", "Application/JSON"])
    func ndjsonIsOneEventPerLineIndexedByLine(contentType: String) async throws {
        let body = [Self.event("a", user: "u-a"), "", "{\"broken\": ", Self.event("b", user: "u-b"), ""].joined(separator: "\n")
        try await withIngest { ingest, client in
            let (status, answerBody, _) = try await post(client, body, contentType: contentType)
            #expect(status == .accepted)
            let answer = try answerBody.decode(Answer.self)
            #expect(answer.accepted == 2 && answer.rejected.map(\.index) == [2])
            #expect(Set(ingest.published.map(\.eventID)) == ["a", "b"])
        }
    }

    @Test(arguments: [
        "[{", "[1, 2", "[{\"event_id\": \"a\"}] trailing", "[1,,2]", "{\"event_id\": \"a\"}\u{0}\n",
        "hello world", "<html><body>502 Bad Gateway</body></html>", "  12345\n", "\"event\"",
    ])
    func aBodyThatIsNotJSONItemsIsRefusedWhole(body: String) async throws {
        try await withIngest { ingest, client in
            let (status, problem, headers) = try await post(client, body)
            #expect(status == .badRequest)
            #expect(problem.problem?.code == "invalid_events_body")
            #expect(headers[.contentType] == Problem.contentType)
            #expect(ingest.published.isEmpty)
        }
    }

    @Test(arguments: [nil, "text/plain", "application/xml", "multipart/form-data; boundary=x"] as [String?])
    func anotherContentTypeIsRefused(contentType: String?) async throws {
        try await withIngest { ingest, client in
            let (status, problem, _) = try await post(client, Self.array([Self.event("a")]), contentType: contentType)
            #expect(status == .unsupportedMediaType && problem.problem?.code == "unsupported_content_type")
            #expect(ingest.published.isEmpty)
        }
    }

    /// Items are counted by a scan of the bytes: `[1,2,3,4]` is refused as four, not decoded.
    @Test func moreEventsThanTheBatchLimitAreRefusedWhole() async throws {
        var settings = ActivitySettings()
        settings.maxBatch = 3
        try await withIngest(settings: settings) { ingest, client in
            let four = (0..<4).map { Self.event("e-\($0)") }
            for (body, type) in [
                (Self.array(four), "application/json"), (four.joined(separator: "\n"), "application/x-ndjson"),
                ("[1,2,3,4]", "application/json"),
            ] {
                let (status, problem, _) = try await post(client, body, contentType: type)
                #expect(status == .contentTooLarge && problem.problem?.code == "too_many_activity_events", "\(body.prefix(20))")
            }
            #expect(ingest.published.isEmpty)
            let (fits, answer, _) = try await post(client, Self.array(Array(four.prefix(3))))
            #expect(fits == .accepted)
            #expect(try answer.decode(Answer.self).accepted == 3)
        }
    }

    @Test func aBodyOverTheByteLimitIsRefused() async throws {
        var settings = ActivitySettings()
        settings.maxBodyBytes = 2048
        try await withIngest(settings: settings) { ingest, client in
            let (status, problem, _) = try await post(client, Self.array((0..<20).map { Self.event("e-\($0)") }))
            #expect(status == .contentTooLarge && problem.problem?.code == "activity_body_too_large")
            #expect(ingest.published.isEmpty)
        }
    }

    /// Events of the partitions with room may be on their streams already: a retry is harmless, as the
    /// consumers skip what they stored before.
    @Test func aPartitionOverItsBacklogRefusesTheRequestForNow() async throws {
        let partitioner = ActivityPartitioner(partitions: 4)
        let users = (0..<40).map { "user-\($0)" }
        let full = partitioner.partition(ofUser: users[0])
        try await withIngest(partitions: 4) { ingest, client in
            ingest.setCapacity(0, ofPartition: full)
            let body = Self.array(users.enumerated().map { Self.event("e-\($0.offset)", user: $0.element) })
            let (status, problem, headers) = try await post(client, body)
            #expect(status == .serviceUnavailable && problem.problem?.code == "activity_backlog_full")
            #expect(headers[.retryAfter] == "5")
            #expect(ingest.streams[full] == nil)
            #expect(!ingest.published.isEmpty, "the other partitions' events went on")
            #expect(ingest.published.allSatisfy { partitioner.partition(ofUser: $0.userID) != full })
            ingest.setCapacity(1000, ofPartition: full)
            let (retried, _, _) = try await post(client, body)
            #expect(retried == .accepted)
            #expect(ingest.streams[full]?.allSatisfy { partitioner.partition(ofUser: $0.userID) == full } == true)
        }
    }

    @Test func withoutRedisNothingIsTaken() async throws {
        try await withIngest { ingest, client in
            ingest.setStreamFails(true)
            let (status, problem, headers) = try await post(client, Self.array([Self.event("a"), Self.event("b", user: "other")]))
            #expect(status == .serviceUnavailable && problem.problem?.code == "queue_unavailable")
            #expect(headers[.retryAfter] != nil)
            #expect(ingest.published.isEmpty)
        }
    }

    @Test func anEmptyBatchIsAcceptedAsNothing() async throws {
        try await withIngest { ingest, client in
            for body in ["[]", "", "\n\n"] {
                let (status, answer, _) = try await post(client, body)
                #expect(status == .accepted)
                #expect(try answer.decode(Answer.self) == Answer(accepted: 0, duplicates: 0, rejected: []))
            }
            #expect(ingest.published.isEmpty)
        }
    }

    @Test func aReadKeyMayNotSendEvents() async throws {
        let keys = InMemoryAPIKeyRepository()
        let read = try await keys.create(role: .read, name: "reader").1.text
        let write = try await keys.create(role: .write, name: "writer").1.text
        let access = AccessControl(settings: AccessSettings(), authenticator: APIKeyAuthenticator(keys: keys), limiter: nil)
        let ingest = InMemoryActivityIngest()
        try await RouteHarness.run(access: access, configure: { $0.activityIngest = ingest }) { _, client in
            let body = ByteBuffer(string: Self.array([Self.event("a")]))
            for (key, expected) in [(nil, HTTPResponse.Status.unauthorized), (read, .forbidden), (write, .accepted)] {
                var headers: HTTPFields = [.contentType: "application/json"]
                if let key { headers[.authorization] = "Bearer \(key)" }
                try await client.execute(uri: "/api/v1/events", method: .post, headers: headers, body: body) { response in
                    #expect(response.status == expected)
                    if expected == .forbidden { #expect(problemCode(response) == "insufficient_role") }
                }
            }
            #expect(ingest.published.count == 1)
        }
    }
}
