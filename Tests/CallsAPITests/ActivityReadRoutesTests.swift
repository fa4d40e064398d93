import Activity
@testable import CallsAPI
import CallsCore
import CallsStore
import Foundation
import HummingbirdTesting
import Logging
import TestSupport
import Testing

/// `GET /api/v1/users/{user_id}/detail` and `GET /api/v1/aggregates` over the in-memory twin: shapes, every
/// parameter error, keyset pages across events sharing a start, and the aggregate cache in front of the reads.
@Suite struct ActivityReadRoutesTests {
    /// `text` (whole seconds, UTC) plus `micros`.
    static func at(_ text: String, micros: Int64 = 0) -> Date {
        Microseconds.date(Microseconds.of(Timestamp.parse(text)!) + micros)
    }

    static let received = at("2025-10-21T00:00:00Z", micros: 5)

    static func event(
        _ source: String, _ id: String, _ type: ActivityEventType, _ started: Date, user: String = "u1", ended: Date? = nil,
        meta: String? = nil
    ) -> ActivityEvent {
        ActivityEvent(
            sourceID: source, eventID: id, userID: user, type: type, startedAt: started, endedAt: ended, durationSeconds: 64,
            bytesUp: 10, bytesDown: 20, meta: meta, receivedAt: received)
    }

    static let shared = at("2025-10-19T08:00:00Z", micros: 1)
    static let events: [ActivityEvent] = [
        event("p1", "b", .callIn, shared),
        event("p1", "a", .callOut, shared),
        event(
            "provider-1", "e1", .callOut, at("2025-10-20T12:34:56Z", micros: 123_456), ended: at("2025-10-20T12:36:00Z"),
            meta: #"{"cell": "A1", "n": [1, 2]}"#),
        event("p2", "a", .data, shared),
        event("p0", "z", .smsSent, shared),
        event("p1", "c", .callOut, shared),
        event("p3", "last", .smsSent, at("2025-10-18T00:00:00Z")),
        event("p1", "other", .callOut, at("2025-10-20T00:00:00Z"), user: "u2"),
    ]
    /// u1's events as the listing must order them.
    static let newestFirst = ["provider-1/e1", "p0/z", "p1/a", "p1/b", "p1/c", "p2/a", "p3/last"]

    static func row(
        _ period: ActivityAggregateQuery.Period, _ day: String, _ type: ActivityEventType, user: String? = nil, stripe: Int = 0,
        count: Int64
    ) -> InMemoryActivityReads.Row {
        .init(
            period: period, start: ActivityDay(text: day)!, type: type, userID: user, stripe: stripe, count: count,
            durationSeconds: count * 60, bytesUp: count * 100, bytesDown: count * 1000)
    }

    static let rows: [InMemoryActivityReads.Row] = [
        row(.day, "2025-10-20", .smsSent, user: "u1", count: 2),
        row(.day, "2025-10-20", .callOut, user: "u1", count: 3),
        row(.day, "2025-10-19", .data, user: "u1", count: 1),
        row(.day, "2025-10-20", .callOut, user: "u2", count: 7),
        row(.day, "2025-10-20", .callOut, stripe: 0, count: 3),
        row(.day, "2025-10-20", .callOut, stripe: 5, count: 7),
        row(.day, "2025-10-20", .smsSent, stripe: 2, count: 2),
        row(.day, "2025-10-19", .data, stripe: 1, count: 1),
        row(.month, "2025-10-01", .callOut, user: "u1", count: 30),
        row(.month, "2025-09-01", .callOut, user: "u1", count: 9),
        row(.month, "2025-10-01", .callOut, stripe: 3, count: 40),
        row(.month, "2025-10-01", .callOut, stripe: 4, count: 2),
    ]

    /// 2025-10-21T20:00Z: already 2025-10-22 in Tokyo.
    static let now = at("2025-10-21T20:00:00Z")

    static func run(
        cache: InMemoryActivityCacheStore? = nil, timeZone: TimeZone = .gmt,
        _ body: @escaping @Sendable (any TestClientProtocol, InMemoryActivityReads, ActivityAggregateCache?) async throws -> Void
    ) async throws {
        let reads = InMemoryActivityReads(events: events, rows: rows)
        let aggregateCache = cache.map {
            ActivityAggregateCache(store: $0, keys: ActivityCacheKeys(namespace: "test", partitions: 8), bound: .seconds(2))
        }
        try await RouteHarness.run(configure: {
            $0.activityReads = ActivityReadDependencies(reads: reads, cache: aggregateCache, timeZone: timeZone, now: { Self.now })
        }) { _, client in try await body(client, reads, aggregateCache) }
    }

    static func get(
        _ client: any TestClientProtocol, _ uri: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws
        -> [String: Any]
    {
        try await client.execute(uri: uri, method: .get) { response in
            #expect(response.status == .ok, "\(uri): \(String(buffer: response.body))", sourceLocation: sourceLocation)
            return try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
        }
    }

    /// The fields a 422 names, or nil for another answer.
    static func invalidFields(_ client: any TestClientProtocol, _ uri: String) async throws -> [String]? {
        try await client.execute(uri: uri, method: .get) { response in
            let problem = JSONBody(response.body).problem
            guard response.status == .unprocessableContent, problem?.code == "validation_failed" else { return nil }
            return problem?.errors?.map(\.field)
        }
    }

    static func keys(_ items: Any?) -> [String] {
        (items as! [[String: Any]]).map { "\($0["source_id"] as! String)/\($0["event_id"] as! String)" }
    }

    // MARK: detail

    @Test func detailWritesEachEventAsSentWithMicrosecondTimes() async throws {
        try await Self.run { client, _, _ in
            let text = try await client.execute(uri: "/api/v1/users/u1/detail?limit=1", method: .get) { String(buffer: $0.body) }
            let token = ActivityCursor(after: Self.events[2]).token
            #expect(
                text == #"{"items":[{"event_id":"e1","source_id":"provider-1","user_id":"u1","type":"CALL_OUT","#
                    + #""started_at":"2025-10-20T12:34:56.123456Z","ended_at":"2025-10-20T12:36:00.000000Z","duration_sec":64,"#
                    + #""bytes_up":10,"bytes_down":20,"meta":{"cell": "A1", "n": [1, 2]},"#
                    + #""received_at":"2025-10-21T00:00:00.000005Z"}],"next_cursor":"\#(token)"}"#)
            let last = try await Self.get(client, "/api/v1/users/u1/detail?from=2025-10-18T00:00:00Z&to=2025-10-18T00:00:01Z")
            let item = (last["items"] as! [[String: Any]])[0]
            #expect(item["ended_at"] is NSNull && item["meta"] is NSNull)
            #expect(item["started_at"] as? String == "2025-10-18T00:00:00.000000Z")
            #expect(last["next_cursor"] is NSNull)
        }
    }

    @Test func pagesWalkEveryEventOnceNewestFirstAcrossASharedStart() async throws {
        try await Self.run { client, _, _ in
            for limit in [1, 2, 3, 7, 100] {
                var seen: [String] = []
                var uri = "/api/v1/users/u1/detail?limit=\(limit)"
                for _ in 0..<10 {
                    let page = try await Self.get(client, uri)
                    let keys = Self.keys(page["items"])
                    #expect(keys.count <= limit)
                    seen += keys
                    guard let next = page["next_cursor"] as? String else { break }
                    uri = "/api/v1/users/u1/detail?limit=\(limit)&cursor=\(next)"
                }
                #expect(seen == Self.newestFirst, "limit \(limit)")
            }
        }
    }

    @Test func filtersByPeriodHalfOpenAndByType() async throws {
        try await Self.run { client, _, _ in
            // from inclusive, to exclusive, to the microsecond.
            let period = try await Self.get(
                client, "/api/v1/users/u1/detail?from=2025-10-19T08:00:00.000001Z&to=2025-10-20T12:34:56.123456Z")
            #expect(Self.keys(period["items"]) == ["p0/z", "p1/a", "p1/b", "p1/c", "p2/a"])
            let calls = try await Self.get(client, "/api/v1/users/u1/detail?type=CALL_OUT")
            #expect(Self.keys(calls["items"]) == ["provider-1/e1", "p1/a", "p1/c"])
            let typedPage = try await Self.get(client, "/api/v1/users/u1/detail?type=CALL_OUT&limit=2")
            let rest = try await Self.get(
                client, "/api/v1/users/u1/detail?type=CALL_OUT&limit=2&cursor=\(typedPage["next_cursor"] as! String)")
            #expect(Self.keys(rest["items"]) == ["p1/c"] && rest["next_cursor"] is NSNull)
            let other = try await Self.get(client, "/api/v1/users/u2/detail")
            #expect(Self.keys(other["items"]) == ["p1/other"])
            let nobody = try await Self.get(client, "/api/v1/users/nobody/detail")
            #expect((nobody["items"] as! [Any]).isEmpty && nobody["next_cursor"] is NSNull)
        }
    }

    @Test func limitBounds() async throws {
        try await Self.run { client, _, _ in
            for (limit, count) in [("1", 1), ("2", 2), ("1000", 7), ("", 7)] {
                let page = try await Self.get(client, "/api/v1/users/u1/detail?limit=\(limit)")
                #expect(Self.keys(page["items"]).count == count, "limit \(limit)")
            }
            for limit in ["0", "1001", "-1", "ten", "1.5"] {
                #expect(try await Self.invalidFields(client, "/api/v1/users/u1/detail?limit=\(limit)") == ["limit"], "\(limit)")
            }
        }
    }

    @Test func everyDetailParameterErrorNamesItsField() async throws {
        let tampered = [
            "garbage", "AAAA", ActivityCursor(after: Self.events[0]).token + "x",
            Data(#"["act2","1","p1","a"]"#.utf8).base64EncodedString(),
            Data(#"["act1","soon","p1","a"]"#.utf8).base64EncodedString(),
            Data(#"["act1","1","","a"]"#.utf8).base64EncodedString(),
            Data(#"["act1","1","p1","a\u0000"]"#.utf8).base64EncodedString(),
            Data(#"["act1","999999999999999999","p1","a"]"#.utf8).base64EncodedString(),
            String(repeating: "A", count: 4000),
        ]
        try await Self.run { client, _, _ in
            for token in tampered {
                let escaped = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                #expect(try await Self.invalidFields(client, "/api/v1/users/u1/detail?cursor=\(escaped)") == ["cursor"], "\(token)")
            }
            let cases: [(String, [String])] = [
                ("from=yesterday", ["from"]),
                ("to=2025-10-20", ["to"]),
                ("from=2025-10-20T00:00:00Z&to=2025-10-20T00:00:00Z", ["to"]),
                ("from=2025-10-21T00:00:00Z&to=2025-10-20T00:00:00Z", ["to"]),
                ("type=call_out", ["type"]),
                ("type=VOICE&limit=0&cursor=x", ["limit", "type", "cursor"]),
            ]
            for (parameters, fields) in cases {
                #expect(try await Self.invalidFields(client, "/api/v1/users/u1/detail?\(parameters)") == fields, "\(parameters)")
            }
            let long = String(repeating: "9", count: 65)
            #expect(try await Self.invalidFields(client, "/api/v1/users/\(long)/detail") == ["user_id"])
            #expect(try await Self.invalidFields(client, "/api/v1/users/a%01b/detail") == ["user_id"])
            // 64 characters and a space are an id; the path's percent-encoding is undone.
            _ = try await Self.get(client, "/api/v1/users/\(String(repeating: "9", count: 64))/detail")
            _ = try await Self.get(client, "/api/v1/users/a%20b/detail")
            #expect(Self.keys(try await Self.get(client, "/api/v1/users/u%31/detail")["items"]).count == 7)
        }
    }

    // MARK: aggregates

    @Test func aggregatesOfAUserAndGlobalSummedOverStripes() async throws {
        try await Self.run { client, _, _ in
            let text = try await client.execute(
                uri: "/api/v1/aggregates?period=day&from=2025-10-19&to=2025-10-20&user_id=u1", method: .get
            ) { String(buffer: $0.body) }
            #expect(
                text == #"{"period":"day","items":["#
                    + #"{"period_start":"2025-10-19","type":"DATA","user_id":"u1","count":1,"duration_sec":60,"bytes_up":100,"bytes_down":1000},"#
                    + #"{"period_start":"2025-10-20","type":"CALL_OUT","user_id":"u1","count":3,"duration_sec":180,"bytes_up":300,"bytes_down":3000},"#
                    + #"{"period_start":"2025-10-20","type":"SMS_SENT","user_id":"u1","count":2,"duration_sec":120,"bytes_up":200,"bytes_down":2000}]}"#
            )
            let global = try await Self.get(client, "/api/v1/aggregates?period=day&from=2025-10-19&to=2025-10-20")
            let items = global["items"] as! [[String: Any]]
            #expect(
                items.map { "\($0["period_start"]!) \($0["type"]!) \($0["count"]!)" } == [
                    "2025-10-19 DATA 1", "2025-10-20 CALL_OUT 10", "2025-10-20 SMS_SENT 2",
                ])
            #expect(items.allSatisfy { $0["user_id"] is NSNull })
            #expect(items[1]["bytes_down"] as? Int == 10_000)
            let typed = try await Self.get(client, "/api/v1/aggregates?period=day&from=2025-10-19&to=2025-10-20&type=SMS_SENT")
            #expect((typed["items"] as! [[String: Any]]).map { $0["type"] as! String } == ["SMS_SENT"])
            // Both ends are included.
            let oneDay = try await Self.get(client, "/api/v1/aggregates?period=day&from=2025-10-19&to=2025-10-19")
            #expect((oneDay["items"] as! [Any]).count == 1)
        }
    }

    @Test func monthsTakeADayOrAMonthForEitherEnd() async throws {
        try await Self.run { client, _, _ in
            for range in ["from=2025-09&to=2025-10", "from=2025-09-30&to=2025-10-02", "from=2025-09-01&to=2025-10"] {
                let user = try await Self.get(client, "/api/v1/aggregates?period=month&\(range)&user_id=u1")
                #expect(user["period"] as? String == "month")
                let items = user["items"] as! [[String: Any]]
                #expect(items.map { "\($0["period_start"]!) \($0["count"]!)" } == ["2025-09-01 9", "2025-10-01 30"], "\(range)")
            }
            let global = try await Self.get(client, "/api/v1/aggregates?period=month&from=2025-10&to=2025-10")
            #expect((global["items"] as! [[String: Any]]).map { $0["count"] as! Int } == [42])
        }
    }

    @Test func theDefaultPeriodEndsTodayInTheActivityTimeZone() async throws {
        try await Self.run(timeZone: TimeZone(identifier: "Asia/Tokyo")!) { client, reads, _ in
            reads.add([
                Self.row(.day, "2025-10-22", .callIn, user: "u9", count: 1),
                Self.row(.day, "2025-10-23", .callIn, user: "u9", count: 2),
                Self.row(.day, "2025-09-22", .callIn, user: "u9", count: 4),
                Self.row(.day, "2025-09-21", .callIn, user: "u9", count: 8),
                Self.row(.month, "2024-11-01", .callIn, user: "u9", count: 16),
                Self.row(.month, "2024-10-01", .callIn, user: "u9", count: 32),
            ])
            // Tokyo's today is 2025-10-22: the 31 days 2025-09-22…2025-10-22, the 12 months 2024-11…2025-10.
            let days = try await Self.get(client, "/api/v1/aggregates?period=day&user_id=u9")
            #expect((days["items"] as! [[String: Any]]).map { $0["count"] as! Int } == [4, 1])
            let months = try await Self.get(client, "/api/v1/aggregates?period=month&user_id=u9")
            #expect((months["items"] as! [[String: Any]]).map { $0["count"] as! Int } == [16])
            let fromOnly = try await Self.get(client, "/api/v1/aggregates?period=day&user_id=u9&from=2025-09-21")
            #expect((fromOnly["items"] as! [[String: Any]]).map { $0["count"] as! Int } == [8, 4, 1])
        }
        try await Self.run { client, reads, _ in
            reads.add([Self.row(.day, "2025-10-22", .callIn, user: "u9", count: 1)])
            // In UTC it is still 2025-10-21.
            let days = try await Self.get(client, "/api/v1/aggregates?period=day&user_id=u9")
            #expect((days["items"] as! [Any]).isEmpty)
        }
    }

    @Test func everyAggregateParameterErrorNamesItsField() async throws {
        try await Self.run { client, _, _ in
            let cases: [(String, [String])] = [
                ("", ["period"]),
                ("period=", ["period"]),
                ("period=week", ["period"]),
                ("period=Day", ["period"]),
                ("period=day&from=2025-02-30", ["from"]),
                ("period=day&from=2025-10", ["from"]),
                ("period=day&to=20251020", ["to"]),
                ("period=month&from=2025-13", ["from"]),
                ("period=month&to=2025-1", ["to"]),
                ("period=day&from=2025-10-21&to=2025-10-20", ["to"]),
                ("period=month&from=2025-11&to=2025-10-31", ["to"]),
                ("period=day&from=2015-10-22&to=2025-10-29", ["to"]),
                ("period=day&from=2000-01-01", ["to"]),
                ("period=month&from=2015-10&to=2025-10", ["to"]),
                ("period=day&type=SMS", ["type"]),
                ("period=day&user_id=", ["user_id"]),
                ("period=day&user_id=\(String(repeating: "x", count: 65))", ["user_id"]),
                ("period=day&user_id=a%00b", ["user_id"]),
                ("period=year&from=x&type=y&user_id=", ["period", "from", "type", "user_id"]),
            ]
            for (parameters, fields) in cases {
                #expect(try await Self.invalidFields(client, "/api/v1/aggregates?\(parameters)") == fields, "\(parameters)")
            }
            // The longest spans allowed.
            _ = try await Self.get(client, "/api/v1/aggregates?period=day&from=2015-10-22&to=2025-10-28")
            _ = try await Self.get(client, "/api/v1/aggregates?period=month&from=2015-11&to=2025-10")
        }
    }

    // MARK: cache

    @Test func aRepeatedAggregateQueryIsAnsweredFromTheCache() async throws {
        let store = InMemoryActivityCacheStore()
        try await Self.run(cache: store) { client, reads, cache in
            let cache = try #require(cache)
            let uri = "/api/v1/aggregates?period=day&from=2025-10-19&to=2025-10-20&user_id=u1"
            let first = try await Self.get(client, uri)
            #expect(reads.aggregateReads == 1 && cache.outcomes[.miss] == 1)
            // A change the cache does not know of yet: the cached answer is served until it expires.
            reads.add([Self.row(.day, "2025-10-20", .callIn, user: "u1", count: 1)])
            let second = try await Self.get(client, uri)
            #expect(reads.aggregateReads == 1 && cache.outcomes[.hit] == 1)
            #expect((second["items"] as! [Any]).count == (first["items"] as! [Any]).count)
            let entry = try #require(store.stored.values.first)
            #expect(entry.milliseconds > 0 && entry.milliseconds <= 2000)
            store.expireAll()
            let third = try await Self.get(client, uri)
            #expect(reads.aggregateReads == 2 && (third["items"] as! [Any]).count == 4)
            // Detail pages are never cached.
            _ = try await Self.get(client, "/api/v1/users/u1/detail")
            _ = try await Self.get(client, "/api/v1/users/u1/detail")
            #expect(store.stored.count == 1)
        }
    }

    @Test func everyParameterIsPartOfTheKey() async throws {
        let store = InMemoryActivityCacheStore()
        try await Self.run(cache: store) { client, reads, _ in
            let queries = [
                "period=day&from=2025-10-19&to=2025-10-20&user_id=u1",
                "period=day&from=2025-10-18&to=2025-10-20&user_id=u1",
                "period=day&from=2025-10-19&to=2025-10-21&user_id=u1",
                "period=day&from=2025-10-19&to=2025-10-20&user_id=u1&type=DATA",
                "period=day&from=2025-10-19&to=2025-10-20&user_id=u2",
                "period=day&from=2025-10-19&to=2025-10-20",
                "period=month&from=2025-10-19&to=2025-10-20&user_id=u1",
            ]
            for query in queries { _ = try await Self.get(client, "/api/v1/aggregates?\(query)") }
            #expect(reads.aggregateReads == queries.count && store.stored.count == queries.count)
            // The same query spelled another way is the same entry.
            _ = try await Self.get(client, "/api/v1/aggregates?period=month&from=2025-10&to=2025-10-31&user_id=u1")
            #expect(reads.aggregateReads == queries.count)
        }
    }

    @Test func keysCarryTheUsersPartitionTagOrTheGlobalOne() {
        let keys = ActivityCacheKeys(namespace: "calls", partitions: 8)
        let query = ActivityAggregateQuery(period: .day, from: ActivityDay(text: "2025-10-01")!, to: ActivityDay(text: "2025-10-31")!)
        var partitions: Set<Int> = []
        for user in (0..<64).map({ "user-\($0)" }) {
            var userQuery = query
            userQuery.userID = user
            let partition = ActivityPartitioner(partitions: 8).partition(ofUser: user)
            partitions.insert(partition)
            let key = keys.key(userQuery)
            // The tag `ActivityStreamKeys.stream(partition)` starts with.
            #expect(key.hasPrefix("{calls:activity:\(partition)}:aggregates:v1:day:2025-10-01:2025-10-31:*:"))
            #expect(keys.streams.stream(partition) == "{calls:activity:\(partition)}:events")
            #expect(key.hasSuffix(":\(user)"))
        }
        #expect(partitions.count == 8, "users spread over every partition")
        #expect(keys.key(query) == "{calls:activity:global}:aggregates:v1:day:2025-10-01:2025-10-31:*")
        var typed = query
        typed.type = .data
        typed.userID = "a:b}{c"
        #expect(keys.key(typed).hasSuffix(":aggregates:v1:day:2025-10-01:2025-10-31:DATA:a:b}{c"))
    }

    @Test func aFailingCacheNeverFailsTheRead() async throws {
        let store = InMemoryActivityCacheStore()
        store.failing = true
        try await Self.run(cache: store) { client, reads, cache in
            let uri = "/api/v1/aggregates?period=day&from=2025-10-19&to=2025-10-20"
            for _ in 0..<3 { #expect((try await Self.get(client, uri)["items"] as! [Any]).count == 3) }
            #expect(reads.aggregateReads == 3 && cache?.outcomes[.error] == 3 && cache?.outcomes[.hit] == 0)
            store.failing = false
            _ = try await Self.get(client, uri)
            _ = try await Self.get(client, uri)
            #expect(reads.aggregateReads == 4 && cache?.outcomes[.hit] == 1)
        }
    }

    @Test func anAnswerLargerThanTheLimitIsNotCached() async throws {
        let reads = InMemoryActivityReads(rows: Self.rows)
        let store = InMemoryActivityCacheStore()
        var cache = ActivityAggregateCache(store: store, keys: ActivityCacheKeys(namespace: "t", partitions: 8), bound: .seconds(2))
        cache.maxEntryBytes = 300
        let small = ActivityAggregateQuery(period: .day, from: ActivityDay(text: "2025-10-19")!, to: ActivityDay(text: "2025-10-19")!)
        var large = small
        large.to = ActivityDay(text: "2025-10-20")!
        for query in [small, large, small, large] {
            _ = try await cache.answer(query, logger: Logger(label: "test")) {
                ActivityJSONWriter.aggregates(try await reads.aggregates(query), period: .day)
            }
        }
        #expect(store.stored.count == 1 && cache.outcomes[.hit] == 1 && reads.aggregateReads == 3)
    }

    @Test func anEntryLivesWhatIsLeftOfTheBoundAfterTheRead() {
        #expect(ActivityAggregateCache.entryMilliseconds(bound: .seconds(2), readTook: .zero) == 2000)
        #expect(ActivityAggregateCache.entryMilliseconds(bound: .seconds(2), readTook: .microseconds(1_500_400)) == 499)
        #expect(ActivityAggregateCache.entryMilliseconds(bound: .seconds(2), readTook: .microseconds(1_999_001)) == nil)
        #expect(ActivityAggregateCache.entryMilliseconds(bound: .seconds(2), readTook: .seconds(2)) == nil)
        #expect(ActivityAggregateCache.entryMilliseconds(bound: .seconds(2), readTook: .seconds(3)) == nil)
    }
}
