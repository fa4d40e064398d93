import CallsCore
import CallsStore
import Foundation
import HummingbirdTesting
import PostgresNIO
import TestSupport
import Testing

extension IntegrationSuite {
    /// `GET /calls` against PostgreSQL: every filter, their combinations, both orders, keyset pages that stay
    /// stable while calls are added, and totals past the exact-count limit.
    @Suite struct CallSearchTests {
        /// Six calls an hour apart from 08:00, with the numbers, statuses and tags the tests look for.
        static func seed(_ client: any TestClientProtocol, url: DatabaseURL) async throws -> [String: String] {
            let calls: [(name: String, caller: String, receiver: String, hour: Int, tags: [String], status: String)] = [
                ("a", "+7 (900) 111-22-33", "+1 555 0100", 8, ["vip"], "ready"),
                ("b", "+1 555 0199", "79004445566", 9, [], "failed"),
                ("c", "+49 30 1234", "+49 30 5678", 10, ["vip", "complaint"], "ready"),
                ("d", "+7 900 111-22-33", "+44 20 7946 0958", 11, [], "created"),
                ("e", "+44 20 7946 0958", "+7 912 000-00-00", 12, ["complaint"], "processing"),
                ("f", "+1 (555) 010-0000", "+1 555 0100", 13, [], "ready"),
            ]
            var ids: [String: String] = [:]
            for call in calls {
                let tags = call.tags.map { "\"\($0)\"" }.joined(separator: ",")
                let (status, created) = try await client.json(
                    .post, "/calls",
                    """
                    {"caller": "\(call.caller)", "receiver": "\(call.receiver)",
                     "started_at": "2026-11-21T\(call.hour < 10 ? "0" : "")\(call.hour):00:00Z", "tags": [\(tags)]}
                    """)
                #expect(status == .created)
                ids[call.name] = try created.decode(Call.self).id.lowercasedString
            }
            let seeded = ids
            try await TestServices.withPostgres(url) { postgres in
                for call in calls where call.status != "created" {
                    _ = try await postgres.query(
                        "UPDATE calls SET status = \(call.status) WHERE id = \(UUID(uuidString: seeded[call.name]!)!)",
                        logger: TestServices.logger
                    ).collect()
                }
            }
            return ids
        }

        static func names(_ page: CallListPage, _ ids: [String: String]) -> [String] {
            let byID = Dictionary(uniqueKeysWithValues: ids.map { ($1, $0) })
            return page.ids.compactMap { byID[$0] }
        }

        @Test func everyFilterAndTheirCombinations() async throws {
            try await Stack.withMigrated { stack, url in
                try await stack.withAPI { client in
                    let ids = try await Self.seed(client, url: url)
                    let cases: [(String, [String])] = [
                        ("", ["f", "e", "d", "c", "b", "a"]),
                        // Digits anywhere in either number; +, spaces, dashes and brackets ignored.
                        ("query=%2B7900", ["d", "b", "a"]),
                        ("query=7%20(900)", ["d", "b", "a"]),
                        ("query=900-111", ["d", "a"]),
                        ("query=4445566", ["b"]),
                        ("query=7946", ["e", "d"]),
                        ("query=55", ["f", "b", "a"]),
                        // Exact number of either party.
                        ("phone=%2B1%20555%200100", ["f", "a"]),
                        ("phone=79001112233", ["d", "a"]),
                        ("phone=7900111", []),
                        // started_at: from inclusive, to exclusive.
                        ("from=2026-11-21T10:00:00Z", ["f", "e", "d", "c"]),
                        ("to=2026-11-21T10:00:00Z", ["b", "a"]),
                        ("from=2026-11-21T09:00:00Z&to=2026-11-21T11:00:00.001Z", ["d", "c", "b"]),
                        ("status=ready", ["f", "c", "a"]),
                        ("status=failed,processing", ["e", "b"]),
                        ("tag=vip", ["c", "a"]),
                        ("tag=COMPLAINT", ["e", "c"]),
                        ("query=7900&status=ready", ["a"]),
                        ("query=555&from=2026-11-21T09:00:00Z&status=ready", ["f"]),
                        ("tag=complaint&to=2026-11-21T12:00:00Z", ["c"]),
                        ("sort=started_at&status=ready", ["a", "c", "f"]),
                        ("sort=-started_at&tag=vip", ["c", "a"]),
                    ]
                    for (parameters, expected) in cases {
                        let (status, body) = try await client.json(.get, "/calls?\(parameters)")
                        #expect(status == .ok, "\(parameters): \(body)")
                        let page = try body.decode(CallListPage.self)
                        #expect(Self.names(page, ids) == expected, "\(parameters)")
                        #expect(page.total == expected.count && !page.totalEstimated, "\(parameters)")
                        #expect(page.nextCursor == nil, "\(parameters)")
                        #expect(body.description.contains(#""next_cursor":null"#), "present as null on the last page: \(parameters)")
                    }
                }
            }
        }

        @Test(arguments: ["-started_at", "started_at"])
        func keysetPagesStayStableWhileCallsAreAdded(sort: String) async throws {
            try await Stack.withMigrated { stack, url in
                try await stack.withAPI { client in
                    let ids = try await Self.seed(client, url: url)
                    var seen: [String] = []
                    var cursor: String?
                    var pages = 0
                    repeat {
                        let path = "/calls?limit=2&sort=\(sort)" + (cursor.map { "&cursor=\($0)" } ?? "")
                        let (status, page) = try await client.json(.get, path, as: CallListPage.self)
                        #expect(status == .ok, "\(page)")
                        seen += Self.names(page, ids)
                        cursor = page.nextCursor
                        // Calls arriving between pages, some at the very instant of a listed one, shift nothing.
                        _ = try await client.json(
                            .post, "/calls",
                            """
                            {"caller": "+1 555 0111", "receiver": "+1 555 0112", "started_at": "2026-11-21T10:00:00Z"}
                            """)
                        pages += 1
                    } while cursor != nil && pages < 20
                    let expected = ["f", "e", "d", "c", "b", "a"]
                    // Every seeded call exactly once, in order (the calls added meanwhile may follow in later pages).
                    #expect(seen == (sort == "started_at" ? expected.reversed() : expected))
                    #expect(cursor == nil)
                }
            }
        }

        @Test func offsetStillPagesAndTotalsPastTheLimitAreMarkedEstimated() async throws {
            try await Stack.withMigrated { stack, url in
                try await stack.withAPI { client in
                    let ids = try await Self.seed(client, url: url)
                    let (_, second) = try await client.json(.get, "/calls?limit=2&offset=2", as: CallListPage.self)
                    #expect(Self.names(second, ids) == ["d", "c"])
                    #expect(second.total == 6)

                    try await TestServices.withPostgres(url) { postgres in
                        _ = try await postgres.query(
                            """
                            INSERT INTO calls (id, caller, receiver, caller_digits, receiver_digits, started_at)
                            SELECT gen_random_uuid(), '+1 555 0000', '+1 555 0001', '15550000', '15550001',
                                   timestamptz '2026-01-01' + n * interval '1 second'
                            FROM generate_series(1, 1050) AS n
                            """, logger: TestServices.logger
                        ).collect()
                        _ = try await postgres.query("ANALYZE calls", logger: TestServices.logger).collect()
                    }
                    let (status, page) = try await client.json(.get, "/calls?limit=1", as: CallListPage.self)
                    #expect(status == .ok)
                    #expect(page.totalEstimated)
                    #expect(page.total > 1_000, "\(page.total)")
                    let (_, narrow) = try await client.json(.get, "/calls?phone=15550199", as: CallListPage.self)
                    #expect(narrow.total == 1 && !narrow.totalEstimated)
                }
            }
        }

        /// The extremes a cursor may hold reach PostgreSQL's timestamp arithmetic without an error.
        @Test func cursorsAtTheEdgesOfTimeAnswerEmptyPagesNot500() async throws {
            try await Stack.withMigrated { stack, url in
                try await stack.withAPI { client in
                    _ = try await Self.seed(client, url: url)
                    for micros in [CallCursor.validMicros.lowerBound, CallCursor.validMicros.upperBound] {
                        for order in [CallOrder.newestFirst, .oldestFirst] {
                            let token = CallCursor(startedAtMicros: micros, id: UUID(), order: order).token
                            let (status, page) = try await client.json(.get, "/calls?cursor=\(token)")
                            #expect(status == .ok, "\(micros) \(order): \(page)")
                        }
                    }
                }
            }
        }
    }
}
