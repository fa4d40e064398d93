import Activity
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The activity consumer groups' writes. A batch is one statement, hence one transaction: the keys of the
/// events it applies are inserted into the group's key table (a key there already is a copy, skipped) and
/// only the events whose keys went in are stored or added. Times travel as whole microseconds and are turned
/// into timestamps in SQL, so what is stored is exactly what the stream carried.
public struct PostgresActivityWrites: ActivityWriteStore {
    let client: DatabaseClient
    /// The zone whose midnights cut the aggregates' days (an IANA name PostgreSQL knows).
    let timeZone: String
    let logger: Logger
    let partitions: PostgresActivityPartitions
    /// UTC months whose partition of `activity_events` is known to exist.
    let knownMonths = KnownMonths()

    public init(client: PostgresClient, timeZone: TimeZone, logger: Logger, deadline: Duration? = DatabaseDeadline.defaultLimit) {
        self.client = DatabaseClient(client, deadline: deadline)
        self.timeZone = timeZone.identifier
        self.logger = logger
        partitions = PostgresActivityPartitions(client: client, logger: logger, deadline: deadline)
    }

    public func store(_ events: [ActivityEvent]) async throws -> ActivityBatchResult {
        let batch = ActivityBatchColumns(events)
        guard batch.count > 0 else { return ActivityBatchResult(duplicates: events.count) }
        try await ensurePartitions(for: batch.startedAt)
        let stored: Int
        do {
            stored = try await insertRaw(batch)
        } catch  where Self.isMissingPartition(error) {
            // Dropped by retention since it was known (a backlog across a month's end): made again, so the
            // insert never fails for good; retention drops it again later.
            knownMonths.forget()
            try await ensurePartitions(for: batch.startedAt)
            stored = try await insertRaw(batch)
        }
        return ActivityBatchResult(applied: stored, duplicates: events.count - stored)
    }

    func insertRaw(_ batch: ActivityBatchColumns) async throws -> Int {
        let rows = try await client.query(
            """
            WITH batch AS (
                SELECT * FROM unnest(\(batch.sourceIDs)::text[], \(batch.eventIDs)::text[], \(batch.userIDs)::text[],
                                     \(batch.types)::text[], \(batch.startedAt)::int8[], \(batch.endedAt)::int8[],
                                     \(batch.durations)::int8[], \(batch.bytesUp)::int8[], \(batch.bytesDown)::int8[],
                                     \(batch.metas)::text[], \(batch.receivedAt)::int8[])
                    AS b(s, e, u, t, st, en, d, up, down, m, r)
            ),
            fresh AS (
                INSERT INTO activity_ingested_keys (source_id, event_id)
                SELECT s, e FROM batch ORDER BY s, e
                ON CONFLICT DO NOTHING
                RETURNING source_id, event_id
            ),
            stored AS (
                INSERT INTO activity_events
                    (source_id, event_id, user_id, type, started_at, ended_at, duration_sec, bytes_up, bytes_down, meta, received_at)
                SELECT s, e, u, t, timestamptz 'epoch' + st * interval '1 microsecond',
                       CASE WHEN en >= 0 THEN timestamptz 'epoch' + en * interval '1 microsecond' END,
                       d, up, down, NULLIF(m, '')::jsonb, timestamptz 'epoch' + r * interval '1 microsecond'
                FROM batch JOIN fresh ON fresh.source_id = batch.s AND fresh.event_id = batch.e
                RETURNING 1
            )
            SELECT count(*)::int8 FROM stored
            """, logger: logger)
        return try await Self.count(rows)
    }

    public func aggregate(_ events: [ActivityEvent], stripe: Int) async throws -> ActivityBatchResult {
        let batch = ActivityBatchColumns(events)
        guard batch.count > 0 else { return ActivityBatchResult(duplicates: events.count) }
        let stripe = Int16(stripe)
        // Cells are written in key order, so two aggregators of one partition (after a takeover) that touch the
        // same cells wait for each other instead of deadlocking.
        let rows = try await client.query(
            """
            WITH batch AS (
                SELECT * FROM unnest(\(batch.sourceIDs)::text[], \(batch.eventIDs)::text[], \(batch.userIDs)::text[],
                                     \(batch.types)::text[], \(batch.startedAt)::int8[], \(batch.durations)::int8[],
                                     \(batch.bytesUp)::int8[], \(batch.bytesDown)::int8[])
                    AS b(s, e, u, t, st, d, up, down)
            ),
            fresh AS (
                INSERT INTO activity_aggregated_keys (source_id, event_id)
                SELECT s, e FROM batch ORDER BY s, e
                ON CONFLICT DO NOTHING
                RETURNING source_id, event_id
            ),
            added AS (
                SELECT u, t, d, up, down,
                       ((timestamptz 'epoch' + st * interval '1 microsecond') AT TIME ZONE \(timeZone))::date AS day
                FROM batch JOIN fresh ON fresh.source_id = batch.s AND fresh.event_id = batch.e
            ),
            user_daily AS (
                INSERT INTO activity_user_daily AS a (user_id, day, type, count, duration_sec, bytes_up, bytes_down)
                SELECT u, day, t, count(*), sum(d), sum(up), sum(down) FROM added GROUP BY u, day, t ORDER BY u, day, t
                ON CONFLICT (user_id, day, type) DO UPDATE
                SET \(unescaped: Self.saturatingSums)
            ),
            user_monthly AS (
                INSERT INTO activity_user_monthly AS a (user_id, month, type, count, duration_sec, bytes_up, bytes_down)
                SELECT u, date_trunc('month', day)::date AS month, t, count(*), sum(d), sum(up), sum(down)
                FROM added GROUP BY u, month, t ORDER BY u, month, t
                ON CONFLICT (user_id, month, type) DO UPDATE
                SET \(unescaped: Self.saturatingSums)
            ),
            global_daily AS (
                INSERT INTO activity_global_daily AS a (day, type, stripe, count, duration_sec, bytes_up, bytes_down)
                SELECT day, t, \(stripe), count(*), sum(d), sum(up), sum(down) FROM added GROUP BY day, t ORDER BY day, t
                ON CONFLICT (day, type, stripe) DO UPDATE
                SET \(unescaped: Self.saturatingSums)
            ),
            global_monthly AS (
                INSERT INTO activity_global_monthly AS a (month, type, stripe, count, duration_sec, bytes_up, bytes_down)
                SELECT date_trunc('month', day)::date AS month, t, \(stripe), count(*), sum(d), sum(up), sum(down)
                FROM added GROUP BY month, t ORDER BY month, t
                ON CONFLICT (month, type, stripe) DO UPDATE
                SET \(unescaped: Self.saturatingSums)
            )
            SELECT count(*)::int8 FROM added
            """, logger: logger)
        let added = try await Self.count(rows)
        return ActivityBatchResult(applied: added, duplicates: events.count - added)
    }

    /// The cells' sums, stopping at the largest `bigint` instead of failing: each counter is bounded at the API,
    /// but a client sending thousands of pebibyte events into one cell would otherwise make every later batch
    /// of its partition fail and be set aside. A cell at 9223372036854775807 has been saturated. Counters are
    /// never negative, so only the upper end needs the check.
    static let saturatingSums = ["count", "duration_sec", "bytes_up", "bytes_down"].map { column in
        "\(column) = CASE WHEN a.\(column) > 9223372036854775807 - EXCLUDED.\(column) THEN 9223372036854775807 "
            + "ELSE a.\(column) + EXCLUDED.\(column) END"
    }.joined(separator: ", ")

    public func setAside(_ event: ActivityEvent, group: String, reason: String) async throws {
        try await client.query(
            """
            INSERT INTO activity_refused (consumer_group, source_id, event_id, payload, reason)
            VALUES (\(group), \(event.sourceID), \(event.eventID), \(event.payload), \(String(reason.prefix(2000))))
            ON CONFLICT (consumer_group, source_id, event_id) DO NOTHING
            """, logger: logger)
    }

    /// Records the aggregates' time zone on first use; throws `ActivityTimeZoneMismatch` when the aggregates
    /// were cut in another (adding to them in this one would split days wrongly).
    public func checkTimeZone() async throws {
        do {
            try await client.query("SELECT now() AT TIME ZONE \(timeZone)", logger: logger)
        } catch let error as PSQLError where error.code == .server && error.serverInfo?[.sqlState] == "22023" {
            throw ActivityTimeZoneUnknown(name: timeZone)
        }
        let rows = try await client.query(
            """
            WITH chosen AS (
                INSERT INTO activity_settings (timezone) VALUES (\(timeZone)) ON CONFLICT DO NOTHING RETURNING timezone
            )
            SELECT timezone FROM chosen UNION ALL SELECT timezone FROM activity_settings
            """, logger: logger)
        for try await recorded in rows.decode(String.self) where recorded != timeZone {
            throw ActivityTimeZoneMismatch(recorded: recorded, configured: timeZone)
        }
    }

    func ensurePartitions(for startedAt: [Int64]) async throws {
        let missing = knownMonths.missing(Set(startedAt.map(Self.utcMonth)))
        for month in missing.sorted() {
            try await partitions.ensure(monthStart: Microseconds.date(Self.firstMicrosecond(ofMonth: month)))
            knownMonths.insert(month)
        }
    }

    /// The first instant (UTC) of `month` (months since January 1970), in microseconds since 1970.
    static func firstMicrosecond(ofMonth month: Int) -> Int64 {
        Int64(CivilDate(firstOfMonthSince1970: month).daysSince1970) * 86_400_000_000
    }

    /// The UTC month of an instant in microseconds since 1970, as months since January 1970: by integer
    /// arithmetic, no calendar object per event.
    static func utcMonth(_ microseconds: Int64) -> Int {
        let days = microseconds >= 0 ? microseconds / 86_400_000_000 : (microseconds - 86_399_999_999) / 86_400_000_000
        return CivilDate(daysSince1970: Int(days)).monthsSince1970
    }

    /// 23514: no partition of `activity_events` takes the row.
    static func isMissingPartition(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, error.code == .server else { return false }
        return error.serverInfo?[.sqlState] == "23514" && (error.serverInfo?[.message] ?? "").contains("no partition")
    }

    static func count(_ rows: QueryRows) async throws -> Int {
        var total = 0
        for try await value in rows.decode(Int64.self) { total = Int(value) }
        return total
    }
}

/// `CALLS_ACTIVITY_TIMEZONE` names a zone Foundation knows and PostgreSQL does not (`GMT+5`).
public struct ActivityTimeZoneUnknown: Error, CustomStringConvertible {
    public var name: String

    public var description: String {
        "PostgreSQL does not know the time zone '\(name)' (CALLS_ACTIVITY_TIMEZONE); use an IANA name such as 'Europe/Berlin'"
    }
}

/// The months whose partition exists, as far as this process knows.
final class KnownMonths: Sendable {
    private let months = Mutex<Set<Int>>([])

    func missing(_ wanted: Set<Int>) -> Set<Int> {
        months.withLock { wanted.subtracting($0) }
    }

    func insert(_ month: Int) {
        _ = months.withLock { $0.insert(month) }
    }

    func forget() {
        months.withLock { $0.removeAll() }
    }
}

/// The aggregates were cut in another time zone than `CALLS_ACTIVITY_TIMEZONE` names.
public struct ActivityTimeZoneMismatch: Error, CustomStringConvertible {
    public var recorded: String
    public var configured: String

    public var description: String {
        "the activity aggregates were cut in time zone \(recorded), but CALLS_ACTIVITY_TIMEZONE is \(configured); "
            + "set it back to \(recorded) (changing it would need the aggregates rebuilt from the raw events)"
    }
}
