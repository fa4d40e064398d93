import Activity
@testable import CallsAPI
import CallsCore
import CallsStore
import Foundation
import HummingbirdTesting
import JobQueue
import PostgresNIO
import Prometheus
import TestSupport
import Testing

extension IntegrationSuite {
    /// The activity reads against real PostgreSQL and Redis through the production application: raw events and
    /// aggregate rows written with SQL (as the ingestor and the aggregator write them), detail pages walked to
    /// the end, global stripes summed, the aggregate cache off and with Redis gone (its freshness bound:
    /// `ActivityCacheFreshnessTests`).
    @Suite struct ActivityReadTests {
        static let received = Microseconds.date(1_761_004_800_000_042)  // 2025-10-21T00:00:00.000042Z

        /// 620 events of u1 over three months (three partitions), in groups sharing one start to the
        /// microsecond, with ids whose order differs from their insertion; and events of two other users.
        static func events() -> [ActivityEvent] {
            var events: [ActivityEvent] = []
            var random = SeededCdrRandom(seed: 18)
            let types = ActivityEventType.allCases
            var start: Int64 = 1_756_684_800_000_000  // 2025-09-01
            for group in 0..<124 {
                start += Int64(random.next(below: 180 * 86_400_000_000 / 124)) + 1
                for member in 0..<5 {
                    let source = ["p2", "p10", "p1", "a", "b"][(group + member) % 5]
                    events.append(
                        ActivityEvent(
                            sourceID: source, eventID: "e\((group * 7 + member * 3) % 11)-\(group)", userID: "u1",
                            type: types[(group + member) % types.count], startedAt: Microseconds.date(start),
                            endedAt: member == 0 ? nil : Microseconds.date(start + 1_500_000), durationSeconds: Int64(member),
                            bytesUp: Int64(group), bytesDown: Int64(group * member),
                            meta: member == 1 ? #"{"cell":"A\#(group)","hops":[1,2]}"# : nil, receivedAt: received))
                }
                events.append(
                    ActivityEvent(
                        sourceID: "p1", eventID: "other-\(group)", userID: group % 2 == 0 ? "u2" : "u1x", type: .data,
                        startedAt: Microseconds.date(start), receivedAt: received))
            }
            return events
        }

        static func insert(_ events: [ActivityEvent], into postgres: PostgresClient) async throws {
            let months = Set(events.map { ActivityDay(of: $0.startedAt, in: .gmt).monthStart.text })
            for month in months.sorted() {
                _ = try await postgres.query("SELECT activity_ensure_partition(\(month)::date)", logger: TestServices.logger)
            }
            for event in events {
                let time = "timestamptz 'epoch' + "
                let ended = event.endedAt.map(Microseconds.of)
                _ = try await postgres.query(
                    """
                    INSERT INTO activity_events (source_id, event_id, user_id, type, started_at, ended_at, duration_sec,
                                                 bytes_up, bytes_down, meta, received_at)
                    VALUES (\(event.sourceID), \(event.eventID), \(event.userID), \(event.type.rawValue),
                            \(unescaped: time)\(Microseconds.of(event.startedAt)) * interval '1 microsecond',
                            \(unescaped: time)\(ended) * interval '1 microsecond', \(event.durationSeconds), \(event.bytesUp),
                            \(event.bytesDown), \(event.meta)::jsonb,
                            \(unescaped: time)\(Microseconds.of(event.receivedAt)) * interval '1 microsecond')
                    """, logger: TestServices.logger)
            }
        }

        static func get(
            _ client: any TestClientProtocol, _ uri: String, sourceLocation: SourceLocation = #_sourceLocation
        )
            async throws -> [String: Any]
        {
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .ok, "\(uri): \(String(buffer: response.body))", sourceLocation: sourceLocation)
                return try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any] ?? [:]
            }
        }

        static func keys(_ page: [String: Any]) -> [String] {
            (page["items"] as? [[String: Any]] ?? []).map { "\($0["source_id"] as! String)/\($0["event_id"] as! String)" }
        }

        /// Every page of `uri` (which has a `?`), in order.
        static func walk(_ client: any TestClientProtocol, _ uri: String) async throws -> (keys: [String], pages: Int) {
            var keys: [String] = []
            var next: String?
            var pages = 0
            repeat {
                let page = try await get(client, uri + (next.map { "&cursor=\($0)" } ?? ""))
                keys += Self.keys(page)
                next = page["next_cursor"] as? String
                pages += 1
            } while next != nil && pages < 1000
            return (keys, pages)
        }

        @Test func detailPagesWalkEveryEventOnceNewestFirst() async throws {
            let events = Self.events()
            let mine = events.filter { $0.userID == "u1" }.sorted { $0.precedesInDetail($1) }
            try await Stack.withMigrated { stack, url in
                try await TestServices.withPostgres(url) { postgres in try await Self.insert(events, into: postgres) }
                try await stack.withAPI { client in
                    for limit in [1000, 37, 5] {
                        let (keys, pages) = try await Self.walk(client, "/api/v1/users/u1/detail?limit=\(limit)")
                        #expect(keys == mine.map { "\($0.sourceID)/\($0.eventID)" }, "limit \(limit)")
                        #expect(pages == (mine.count + limit - 1) / limit)
                    }
                    // A period (half-open, to the microsecond) and a type, also across pages.
                    let from = mine[400].startedAt
                    let to = mine[100].startedAt
                    let period =
                        "from=\(ActivityTimeText.format(micros: Microseconds.of(from)))&to=\(ActivityTimeText.format(micros: Microseconds.of(to)))"
                    let inPeriod = mine.filter { $0.startedAt >= from && $0.startedAt < to }
                    #expect(
                        try await Self.walk(client, "/api/v1/users/u1/detail?limit=50&\(period)").keys
                            == inPeriod.map { "\($0.sourceID)/\($0.eventID)" })
                    let sms = mine.filter { $0.type == .smsReceived }
                    #expect(
                        try await Self.walk(client, "/api/v1/users/u1/detail?limit=9&type=SMS_RECEIVED").keys
                            == sms.map { "\($0.sourceID)/\($0.eventID)" })

                    // Each field as stored, times to the microsecond; jsonb as PostgreSQL writes it.
                    let page = try await Self.get(client, "/api/v1/users/u1/detail?limit=1000")
                    let items = try #require(page["items"] as? [[String: Any]])
                    for (item, event) in zip(items, mine) {
                        #expect(item["started_at"] as? String == ActivityTimeText.format(micros: Microseconds.of(event.startedAt)))
                        #expect((item["ended_at"] as? String) == event.endedAt.map { ActivityTimeText.format(micros: Microseconds.of($0)) })
                        #expect(item["received_at"] as? String == "2025-10-21T00:00:00.000042Z")
                        #expect(item["type"] as? String == event.type.rawValue && item["user_id"] as? String == "u1")
                        #expect(
                            item["duration_sec"] as? Int == Int(event.durationSeconds) && item["bytes_down"] as? Int == Int(event.bytesDown)
                        )
                        if let meta = item["meta"] as? [String: Any] {
                            #expect(event.meta != nil && meta["cell"] as? String != nil && (meta["hops"] as? [Int]) == [1, 2])
                        } else {
                            #expect(item["meta"] is NSNull && event.meta == nil)
                        }
                    }
                    let raw = try await client.execute(uri: "/api/v1/users/u1/detail?limit=1000", method: .get) { String(buffer: $0.body) }
                    #expect(raw.contains(#""meta":{"cell": "A1", "hops": [1, 2]}"#))
                }
            }
        }

        static let aggregateRows = """
            INSERT INTO activity_user_daily VALUES
                ('u1', '2025-10-19', 'DATA', 1, 0, 500, 7000),
                ('u1', '2025-10-20', 'SMS_SENT', 2, 0, 0, 0),
                ('u1', '2025-10-20', 'CALL_OUT', 3, 180, 0, 0),
                ('u2', '2025-10-20', 'CALL_OUT', 9, 900, 0, 0);
            INSERT INTO activity_user_monthly VALUES
                ('u1', '2025-09-01', 'CALL_OUT', 4, 240, 0, 0),
                ('u1', '2025-10-01', 'CALL_OUT', 3, 180, 0, 0);
            INSERT INTO activity_global_daily VALUES
                ('2025-10-19', 'DATA', 3, 1, 0, 500, 7000),
                ('2025-10-20', 'CALL_OUT', 0, 3, 180, 0, 0),
                ('2025-10-20', 'CALL_OUT', 5, 9, 900, 0, 0),
                ('2025-10-20', 'CALL_OUT', 7, 1, 60, 0, 0),
                ('2025-10-20', 'SMS_SENT', 2, 2, 0, 0, 0),
                ('2025-10-21', 'SMS_SENT', 2, 5, 0, 0, 0);
            INSERT INTO activity_global_monthly VALUES
                ('2025-10-01', 'CALL_OUT', 0, 3, 180, 0, 0),
                ('2025-10-01', 'CALL_OUT', 5, 9, 900, 1, 2);
            """

        static func summary(_ answer: [String: Any]) -> [String] {
            (answer["items"] as? [[String: Any]] ?? []).map { item in
                let user = item["user_id"] as? String ?? "all"
                return
                    "\(item["period_start"]!) \(item["type"]!) \(user) \(item["count"]!) \(item["duration_sec"]!) \(item["bytes_up"]!) \(item["bytes_down"]!)"
            }
        }

        static func execute(_ sql: String, url: DatabaseURL) async throws {
            try await TestServices.withPostgres(url) { postgres in
                for statement in sql.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) })
                where !statement.isEmpty {
                    try await postgres.query(PostgresQuery(unsafeSQL: statement), logger: TestServices.logger)
                }
            }
        }

        @Test func aggregatesOfAUserAndSummedOverStripes() async throws {
            try await Stack.withMigrated { stack, url in
                try await Self.execute(Self.aggregateRows, url: url)
                try await stack.withAPI { client in
                    let user = try await Self.get(client, "/api/v1/aggregates?period=day&from=2025-10-19&to=2025-10-20&user_id=u1")
                    #expect(
                        Self.summary(user) == [
                            "2025-10-19 DATA u1 1 0 500 7000", "2025-10-20 CALL_OUT u1 3 180 0 0", "2025-10-20 SMS_SENT u1 2 0 0 0",
                        ])
                    let global = try await Self.get(client, "/api/v1/aggregates?period=day&from=2025-10-19&to=2025-10-20")
                    #expect(
                        Self.summary(global) == [
                            "2025-10-19 DATA all 1 0 500 7000", "2025-10-20 CALL_OUT all 13 1140 0 0", "2025-10-20 SMS_SENT all 2 0 0 0",
                        ])
                    let typed = try await Self.get(client, "/api/v1/aggregates?period=day&from=2025-10-01&to=2025-10-31&type=SMS_SENT")
                    #expect(Self.summary(typed) == ["2025-10-20 SMS_SENT all 2 0 0 0", "2025-10-21 SMS_SENT all 5 0 0 0"])
                    let months = try await Self.get(client, "/api/v1/aggregates?period=month&from=2025-09&to=2025-10-15&user_id=u1")
                    #expect(Self.summary(months) == ["2025-09-01 CALL_OUT u1 4 240 0 0", "2025-10-01 CALL_OUT u1 3 180 0 0"])
                    let globalMonths = try await Self.get(client, "/api/v1/aggregates?period=month&from=2025-10&to=2025-10")
                    #expect(Self.summary(globalMonths) == ["2025-10-01 CALL_OUT all 12 1080 1 2"])
                }
            }
        }

        /// The first count of `uri`'s items of `type` on `day`.
        static func count(_ client: any TestClientProtocol, _ uri: String) async throws -> Int? {
            (try await get(client, uri)["items"] as? [[String: Any]])?.first?["count"] as? Int
        }

        @Test func noCacheWhenTheBoundIsZero() async throws {
            try await Stack.withMigrated { base, url in
                var stack = base
                stack.api.activity.cacheSeconds = 0
                let stackSettings = stack
                try await Self.execute(Self.aggregateRows, url: url)
                let uri = "/api/v1/aggregates?period=day&from=2025-10-20&to=2025-10-20&type=CALL_OUT&user_id=u1"
                try await stackSettings.withAPI { client in
                    #expect(try await Self.count(client, uri) == 3)
                    #expect(try await Self.count(client, uri) == 3)
                    try await Self.execute("UPDATE activity_user_daily SET count = 4 WHERE user_id = 'u1' AND type = 'CALL_OUT'", url: url)
                    #expect(try await Self.count(client, uri) == 4, "read from PostgreSQL every time")
                }
                let redis = RedisClient(url: stack.api.queue.redis)
                let keys = try await redis.command("KEYS", "{\(stack.api.queue.name):activity:*").array ?? []
                #expect(keys.isEmpty, "\(keys)")
                await redis.shutdown()
            }
        }

        @Test func readsAnswerWithRedisStopped() async throws {
            let registry = testMetricsRegistry
            try await RedisServerProcess.withPrivateServer { server in
                try await Stack.withMigrated(redis: RedisURL(string: server.url)) { stack, url in
                    try await Self.execute(Self.aggregateRows, url: url)
                    let uri = "/api/v1/aggregates?period=day&from=2025-10-20&to=2025-10-20&type=CALL_OUT&user_id=u1"
                    try await stack.withAPI { client in
                        #expect(try await Self.count(client, uri) == 3)
                        await server.stop()
                        try await Self.execute(
                            "UPDATE activity_user_daily SET count = 5 WHERE user_id = 'u1' AND type = 'CALL_OUT'", url: url)
                        let errorsBefore = Self.counter(registry, outcome: "error")
                        for _ in 0..<3 { #expect(try await Self.count(client, uri) == 5, "answered from PostgreSQL") }
                        #expect(Self.counter(registry, outcome: "error") >= errorsBefore + 3)
                        #expect(try await Self.get(client, "/api/v1/users/u1/detail")["items"] is [Any])
                    }
                }
            }
        }

        static func counter(_ registry: PrometheusCollectorRegistry, outcome: String) -> Int {
            let prefix = #"calls_activity_cache_total{outcome="\#(outcome)"} "#
            let line = registry.emitToString().split(separator: "\n").first { $0.hasPrefix(prefix) }
            return line.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
        }
    }
}
