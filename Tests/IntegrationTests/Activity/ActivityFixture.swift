import Activity
import CallsCore
@testable import CallsStore
@testable import CallsWorker
import EventBus
import Foundation
import JobQueue
import Logging
import PostgresNIO
import QueueTraffic
import SeededRandomness

/// A migrated database, a Redis namespace of its own, and consumers of both groups over its K streams.
struct ActivityFixture: Sendable {
    let keys: ActivityStreamKeys
    let redis: RedisClient
    let postgres: PostgresClient
    let writes: PostgresActivityWrites
    let timeZone: TimeZone

    static func with(
        partitions: Int = 4, timeZone: TimeZone = TimeZone(identifier: "Europe/Berlin")!,
        _ body: @Sendable (ActivityFixture) async throws -> Void
    ) async throws {
        try await TestServices.withMigratedDatabase { url in
            try await with(
                database: url, redis: try TestServices.redisURL(), namespace: "test-\(UUID().uuidString.prefix(8))",
                partitions: partitions, timeZone: timeZone, body)
        }
    }

    /// Over a database the caller migrated and the streams of `namespace` on `redisURL`: those of a spawned
    /// worker whose `CALLS_QUEUE_NAME` is `namespace`.
    static func with(
        database: DatabaseURL, redis redisURL: RedisURL, namespace: String, partitions: Int,
        timeZone: TimeZone = TimeZone(identifier: "Europe/Berlin")!, _ body: @Sendable (ActivityFixture) async throws -> Void
    ) async throws {
        try await TestServices.withPostgres(database) { client in
            let redis = RedisClient(url: redisURL)
            let fixture = ActivityFixture(
                keys: ActivityStreamKeys(namespace: namespace, partitions: partitions), redis: redis,
                postgres: client, writes: PostgresActivityWrites(client: client, timeZone: timeZone, logger: TestServices.logger),
                timeZone: timeZone)
            do {
                try await body(fixture)
            } catch {
                await fixture.removeStreams()
                throw error
            }
            await fixture.removeStreams()
        }
    }

    func removeStreams() async {
        for key in keys.streams { _ = try? await redis.command("DEL", key) }
        await redis.shutdown()
    }

    func stream(_ partition: Int) -> EventStream {
        EventStream(redis: redis, key: keys.stream(partition))
    }

    /// Appends as the API does: each event to its user's partition, in order.
    func publish(_ events: [ActivityEvent]) async throws {
        let partitioner = ActivityPartitioner(partitions: keys.partitions)
        let byPartition = Dictionary(grouping: events) { partitioner.partition(ofUser: $0.userID) }
        for (partition, events) in byPartition { _ = try await stream(partition).append(events.map(\.payload)) }
    }

    func consumer(
        _ group: ActivityGroup, partition: Int, name: String = "w1", claimAfter: Duration = .seconds(30), batchSize: Int = 50
    )
        -> ActivityConsumer
    {
        ActivityConsumer(
            group: group, stream: stream(partition), partition: partition, store: writes, consumer: name, batchSize: batchSize,
            claimAfter: claimAfter, logger: TestServices.logger)
    }

    /// Both groups, every partition, until a read of new entries brings nothing. `retentionMonths` as
    /// `CALLS_ACTIVITY_RETENTION_MONTHS`: events starting before it are applied by neither group.
    func drainAll(name: String = "w1", retentionMonths: Int = 13) async throws {
        for group in ActivityGroup.allCases {
            for partition in 0..<keys.partitions {
                var consumer = consumer(group, partition: partition, name: name)
                consumer.retentionMonths = retentionMonths
                try await consumer.stream.createGroup(group.name)
                var phase = StreamConsumerPhase()
                for _ in 0..<10_000 {
                    let reading = phase.next
                    let entries = try await consumer.step(&phase, block: .milliseconds(10))
                    if reading == .new, entries == 0 { break }
                }
            }
        }
    }

    func rawCount() async throws -> Int {
        try await scalar("SELECT count(*)::int8 FROM activity_events")
    }

    func scalar(_ query: PostgresQuery) async throws -> Int {
        var value = 0
        for try await count in try await postgres.query(query, logger: TestServices.logger).decode(Int64.self) { value = Int(count) }
        return value
    }

    /// Every aggregate table as `period|user|type -> [count, duration, up, down]` (the global ones summed
    /// over their stripes, with user "*").
    func aggregates(monthly: Bool) async throws -> [String: [Int64]] {
        let unit = monthly ? "month" : "day"
        var cells: [String: [Int64]] = [:]
        let rows = try await postgres.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(unit)::text, user_id, type, count, duration_sec, bytes_up, bytes_down FROM activity_user_\(monthly ? "monthly" : "daily")
                    UNION ALL
                    SELECT \(unit)::text, '*', type, sum(count)::int8, sum(duration_sec)::int8, sum(bytes_up)::int8, sum(bytes_down)::int8
                    FROM activity_global_\(monthly ? "monthly" : "daily") GROUP BY \(unit), type
                    """), logger: TestServices.logger)
        for try await (period, user, type, count, duration, up, down) in rows.decode(
            (String, String, String, Int64, Int64, Int64, Int64).self)
        {
            cells["\(period)|\(user)|\(type)"] = [count, duration, up, down]
        }
        return cells
    }

    /// What the aggregates must hold for `events` (each key counted once), computed here without SQL.
    func expectedAggregates(_ events: [ActivityEvent], monthly: Bool) -> [String: [Int64]] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var seen = Set<ActivityEvent.Key>()
        var cells: [String: [Int64]] = [:]
        for event in events where seen.insert(event.key).inserted {
            let parts = calendar.dateComponents([.year, .month, .day], from: event.startedAt)
            let period = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, monthly ? 1 : parts.day!)
            for user in [event.userID, "*"] {
                let key = "\(period)|\(user)|\(event.type.rawValue)"
                let old = cells[key] ?? [0, 0, 0, 0]
                cells[key] = [old[0] + 1, old[1] + event.durationSeconds, old[2] + event.bytesUp, old[3] + event.bytesDown]
            }
        }
        return cells
    }

    /// Events of `users` users over the days before `now`, of every type, with plausible counters.
    static func events(count: Int, users: Int, source: String = "provider-1", now: Date = Date(), seed: UInt64 = 7) -> [ActivityEvent] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { index in
            let type = ActivityEventType.allCases[Int(random.next() % 5)]
            let started = now.addingTimeInterval(-Double(random.next() % (20 * 86_400)) - 0.123456)
            let duration: Int64 =
                type == .callIn || type == .callOut ? Int64(random.next() % 600) : type == .data ? Int64(random.next() % 3600) : 0
            let isData = type == .data
            return ActivityEvent(
                sourceID: source, eventID: "ev-\(seed)-\(index)", userID: "user-\(random.next() % UInt64(users))", type: type,
                startedAt: started, endedAt: duration > 0 ? started.addingTimeInterval(Double(duration)) : nil,
                durationSeconds: duration, bytesUp: isData ? Int64(random.next() % 1_000_000) : 0,
                bytesDown: isData ? Int64(random.next() % 50_000_000) : 0, meta: index % 3 == 0 ? #"{"cell":"A\#(index % 17)"}"# : nil,
                receivedAt: now)
        }
    }
}
