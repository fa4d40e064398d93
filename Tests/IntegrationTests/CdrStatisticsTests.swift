import CallsCore
import CallsStore
import Foundation
import PostgresNIO
import TestSupport
import Testing

extension IntegrationSuite {
    /// The statistics PostgreSQL answers from its rollups (migration 0019) against the in-memory twin's count
    /// over every record, on thousands of random CDRs and random periods, and again after the CDRs are
    /// updated and deleted; and the keyset pages of `GET /cdrs`.
    @Suite struct CdrStatisticsTests {
        static let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
        static let days = 45

        /// `rounds` random periods (unaligned, hour- or day-aligned; minutes to the whole data set), with and
        /// without filters and series.
        static func compare(
            _ store: PostgresCdrStore, _ twin: InMemoryCdrStore, random: inout SeededCdrRandom, rounds: Int,
            sourceLocation: SourceLocation = #_sourceLocation
        ) async throws {
            let spanMillis = Int64((days + 4) * 86_400_000)
            for round in 0..<rounds {
                var from = Int64(start.timeIntervalSince1970 * 1000) - 2 * 86_400_000 + Int64(random.next(below: UInt64(spanMillis)))
                let lengths: [Int64] = [60_000, 3_600_000, 5 * 3_600_000, 86_400_000, 7 * 86_400_000, 50 * 86_400_000]
                var length = 1 + Int64(random.next(below: UInt64(lengths[round % lengths.count])))
                switch random.next(below: 4) {
                case 0: from -= from % 3_600_000
                case 1: (from, length) = (from - from % 86_400_000, length - length % 86_400_000 + 86_400_000)
                default: break
                }
                var query = StatisticsQuery(
                    from: Date(timeIntervalSince1970: Double(from) / 1000),
                    to: Date(timeIntervalSince1970: Double(from + length) / 1000))
                if random.next(below: 3) == 0 { query.source = RandomCdrs.sources[Int(random.next(below: 3))] }
                if random.next(below: 3) == 0 { query.callType = RandomCdrs.callTypes[Int(random.next(below: 2))] }
                switch random.next(below: 3) {
                case 0 where length <= 900 * 3_600_000: query.groupBy = .hour
                case 1: query.groupBy = .day
                default: break
                }
                let expected = try await twin.callTotals(query)
                #expect(try await store.callTotals(query) == expected, "\(query)", sourceLocation: sourceLocation)
                #expect(
                    try await store.operatorTotals(query) == (try await twin.operatorTotals(query)), "\(query)",
                    sourceLocation: sourceLocation)
            }
            // The whole data set, which the rollups must hold exactly.
            let everything = StatisticsQuery(
                from: start.addingTimeInterval(-86_400), to: start.addingTimeInterval(Double(days + 2) * 86_400))
            #expect(try await store.callTotals(everything) == (try await twin.callTotals(everything)), sourceLocation: sourceLocation)
        }

        @Test func rollupsAgreeWithABruteForceCountThroughInsertsUpdatesAndDeletes() async throws {
            var seeded = RandomCdrs(seed: 20_261_130)
            let initial = seeded.make(count: 3000, from: Self.start, seconds: Self.days * 86_400)
            let twin = InMemoryCdrStore(initial)
            #expect(initial.contains { !$0.answered } && initial.contains { $0.operatorID == nil })
            #expect(initial.contains { $0.startTime.timeIntervalSince1970.truncatingRemainder(dividingBy: 3600) == 0 })
            let generatorAfterSeeding = seeded
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    var records = initial
                    var generator = generatorAfterSeeding
                    let logger = TestServices.logger
                    try await CdrRowsFixture.insert(records, client: client, logger: logger)
                    let store = PostgresCdrStore(client: client, logger: logger)
                    var random = SeededCdrRandom(seed: 1)
                    try await Self.compare(store, twin, random: &random, rounds: 60)

                    // New versions: moved in time (across hours and days), answered or not, another operator.
                    var changed: [CallDetailRecord] = []
                    for _ in 0..<250 {
                        let index = Int(random.next(below: UInt64(records.count)))
                        var record = generator.record(id: records[index].id, start: records[index].startTime)
                        record.startTime = records[index].startTime.addingTimeInterval(Double(Int(random.next(below: 200_000)) - 100_000))
                        records[index] = record
                        changed.append(record)
                    }
                    try await CdrRowsFixture.update(changed, client: client, logger: logger)
                    twin.put(changed)
                    // One statement over many rows, as a bulk correction would be.
                    _ = try await client.query(
                        "UPDATE cdrs SET duration_seconds = duration_seconds + 7, operator_id = NULL WHERE id % 10 = 3", logger: logger)
                    for index in records.indices where records[index].id % 10 == 3 {
                        records[index].durationSeconds += 7
                        records[index].operatorID = nil
                    }
                    twin.put(records)
                    try await Self.compare(store, twin, random: &random, rounds: 40)

                    let deleted = (0..<200).map { _ in records[Int(random.next(below: UInt64(records.count)))].id }
                    for id in deleted { _ = try await client.query("DELETE FROM cdrs WHERE id = \(id)", logger: logger) }
                    _ = try await client.query("DELETE FROM cdrs WHERE id % 13 = 0", logger: logger)
                    twin.remove(ids: deleted + records.map(\.id).filter { $0 % 13 == 0 })
                    try await Self.compare(store, twin, random: &random, rounds: 40)

                    // A rebuild that changes nothing counted writes no rollup row.
                    let transaction = try await client.query(
                        "WITH bumped AS (UPDATE cdrs SET version = version + 1 RETURNING 1) SELECT pg_current_xact_id()::text",
                        logger: logger
                    ).decode(String.self).collectAll()
                    for table in [
                        "cdr_calls_hourly", "cdr_calls_daily", "cdr_operators_hourly", "cdr_operators_daily", "cdr_operators_monthly",
                    ] {
                        let written = try await client.query(
                            PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table) WHERE xmin::text = '\(transaction[0])'"), logger: logger
                        ).decode(Int.self).collectAll()
                        #expect(written == [0], "\(table)")
                    }
                    try await Self.compare(store, twin, random: &random, rounds: 5)

                    // CASCADE: export deliveries (migration 0018) refer to CDRs.
                    _ = try await client.query("TRUNCATE cdrs CASCADE", logger: logger)
                    twin.remove(ids: twin.records.map(\.id))
                    #expect(
                        try await client.query("SELECT count(*) FROM cdr_operators_monthly", logger: logger).decode(Int.self).collectAll()
                            == [0])
                    try await Self.compare(store, twin, random: &random, rounds: 5)
                }
            }
        }

        @Test func keysetPagesVisitEveryRecordOnceInTheTwinsOrder() async throws {
            var generator = RandomCdrs(seed: 99)
            var made = generator.make(count: 1200, from: Self.start, seconds: 10 * 86_400)
            // Ties on start_time are broken by id.
            for index in 0..<40 { made[index].startTime = made[40].startTime }
            let records = made
            let twin = InMemoryCdrStore(records)
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    try await CdrRowsFixture.insert(records, client: client, logger: TestServices.logger)
                    let store = PostgresCdrStore(client: client, logger: TestServices.logger)
                    let queries = [
                        CdrQuery(limit: 7),
                        CdrQuery(limit: 100),
                        CdrQuery(
                            from: Self.start.addingTimeInterval(86_400 + 0.5), to: Self.start.addingTimeInterval(6 * 86_400),
                            limit: 13),
                        CdrQuery(source: "pbx2", limit: 50),
                        CdrQuery(operatorID: 4, limit: 9),
                        CdrQuery(result: "resolved", source: "crm", limit: 1000),
                    ]
                    for query in queries {
                        var seen: [Int64] = []
                        var cursor: CdrCursor?
                        var pages = 0
                        repeat {
                            var page = query
                            page.after = cursor
                            let result = try await store.cdrs(page)
                            #expect(result.items.count <= query.limit)
                            #expect(result.nextCursor == nil || result.items.count == query.limit)
                            seen += result.items.map(\.id)
                            cursor = result.nextCursor.flatMap { CdrCursor(token: $0.token) }
                            pages += 1
                        } while cursor != nil && pages < 500
                        var all = query
                        all.limit = 100_000
                        let expected = try await twin.cdrs(all).items.map(\.id)
                        #expect(!expected.isEmpty)
                        #expect(seen == expected, "\(query)")
                        #expect(Set(seen).count == seen.count)
                    }
                    let original = records[77]
                    let read = try #require(try await store.cdr(id: original.id))
                    #expect(abs(read.startTime.timeIntervalSince(original.startTime)) < 0.000_001)
                    var comparable = read
                    (comparable.startTime, comparable.endTime, comparable.builtAt) = (
                        original.startTime, original.endTime, original.builtAt
                    )
                    #expect(comparable == original)
                    #expect(try await store.cdr(id: 987_654) == nil)
                }
            }
        }
    }
}

extension IntegrationSuite.CdrStatisticsTests {
    /// CDRs built before migration 0019 are counted by it once, like those written after.
    @Test func theMigrationCountsCdrsThatAlreadyExist() async throws {
        var generator = RandomCdrs(seed: 4)
        let records = generator.make(count: 500, from: Self.start, seconds: 3 * 86_400)
        let twin = InMemoryCdrStore(records)
        let earlier = try TemporaryDirectory()
        defer { earlier.remove() }
        for name in try FileManager.default.contentsOfDirectory(atPath: "migrations") where name < "0019" {
            try FileManager.default.copyItem(atPath: "migrations/\(name)", toPath: "\(earlier.path)/\(name)")
        }
        try await TestServices.withFreshDatabase { url in
            try await TestServices.withPostgres(url) { client in
                let logger = TestServices.logger
                try await Migrator(client: client, directory: earlier.path, logger: logger).migrate()
                try await CdrRowsFixture.insert(records, client: client, logger: logger)
                let applied = try await Migrator(client: client, directory: "migrations", logger: logger).migrate()
                #expect(applied.contains { $0.hasPrefix("0019") })
                let store = PostgresCdrStore(client: client, logger: logger)
                var random = SeededCdrRandom(seed: 8)
                try await Self.compare(store, twin, random: &random, rounds: 20)
            }
        }
    }
}
