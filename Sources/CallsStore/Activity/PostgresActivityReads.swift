import Activity
import Logging
import PostgresNIO

/// The activity reads in PostgreSQL: a user's raw events in keyset pages (migration 0021's
/// `activity_events_detail` index, read forwards: newest first, then source and event id ascending), and the
/// day and month aggregates, a user's rows as they are and the global ones summed over their stripes.
public struct PostgresActivityReads: ActivityReads {
    let client: DatabaseClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger, deadline: Duration? = DatabaseDeadline.defaultLimit) {
        self.client = DatabaseClient(client, deadline: deadline)
        self.logger = logger
    }

    public func detail(_ query: ActivityDetailQuery) async throws -> ActivityDetailPage {
        var bindings = PostgresBindings()
        func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
            bindings.append(value)
            return "$\(bindings.count)"
        }
        var conditions = ["user_id = \(bind(query.userID))"]
        if let from = query.from { conditions.append("started_at >= \(SQLTime.literal(bind(SQLTime.micros(from))))") }
        if let to = query.to { conditions.append("started_at < \(SQLTime.literal(bind(SQLTime.micros(to))))") }
        if let type = query.type { conditions.append("type = \(bind(type.rawValue))") }
        if let after = query.after {
            // The index orders the ids ascending under a descending start, which one row comparison cannot
            // say; the first condition alone bounds the index scan.
            let started = SQLTime.literal(bind(after.startedAtMicros))
            conditions.append(
                "started_at <= \(started) AND (started_at < \(started) OR (source_id, event_id) > (\(bind(after.sourceID)), \(bind(after.eventID))))"
            )
        }
        // One row more than asked for tells whether another page follows.
        let sql = """
            SELECT source_id, event_id, user_id, type, \(Self.micros("started_at")), \(Self.micros("ended_at")),
                   duration_sec, bytes_up, bytes_down, meta::text, \(Self.micros("received_at"))
            FROM activity_events
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY started_at DESC, source_id, event_id
            LIMIT \(query.limit + 1)
            """
        var events: [ActivityEvent] = []
        let rows = try await client.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
        for try await row in rows.decode(
            (String, String, String, String, Int64, Int64?, Int64, Int64, Int64, String?, Int64).self)
        {
            // Only the aggregator and ingestor write, and only types the API took.
            guard let type = ActivityEventType(rawValue: row.3) else { continue }
            events.append(
                ActivityEvent(
                    sourceID: row.0, eventID: row.1, userID: row.2, type: type, startedAt: Microseconds.date(row.4),
                    endedAt: row.5.map(Microseconds.date), durationSeconds: row.6, bytesUp: row.7, bytesDown: row.8, meta: row.9,
                    receivedAt: Microseconds.date(row.10)))
        }
        let page = Array(events.prefix(query.limit))
        let next = events.count > query.limit ? page.last.map(ActivityCursor.init(after:)) : nil
        return ActivityDetailPage(items: page, nextCursor: next)
    }

    /// A user's rows by the primary key (user, day|month, type), in its order; the global ones sum at most one
    /// row per stream partition for each period and type. The five type names sort alike in every collation
    /// (byte order, as `ActivityEventType` compares them).
    public func aggregates(_ query: ActivityAggregateQuery) async throws -> [ActivityAggregate] {
        var bindings = PostgresBindings()
        func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
            bindings.append(value)
            return "$\(bindings.count)"
        }
        let column = query.period == .day ? "day" : "month"
        let (from, to) = query.period == .day ? (query.from, query.to) : (query.from.monthStart, query.to.monthStart)
        var conditions = [
            "\(column) >= date '1970-01-01' + \(bind(from.daysSince1970))::int4",
            "\(column) <= date '1970-01-01' + \(bind(to.daysSince1970))::int4",
        ]
        if let type = query.type { conditions.append("type = \(bind(type.rawValue))") }
        let sql: String
        if let userID = query.userID {
            conditions.insert("user_id = \(bind(userID))", at: 0)
            sql = """
                SELECT (\(column) - date '1970-01-01')::int4, type, count, duration_sec, bytes_up, bytes_down
                FROM activity_user_\(query.period == .day ? "daily" : "monthly")
                WHERE \(conditions.joined(separator: " AND "))
                ORDER BY \(column), type
                """
        } else {
            sql = """
                SELECT (\(column) - date '1970-01-01')::int4, type, sum(count)::int8, sum(duration_sec)::int8,
                       sum(bytes_up)::int8, sum(bytes_down)::int8
                FROM activity_global_\(query.period == .day ? "daily" : "monthly")
                WHERE \(conditions.joined(separator: " AND "))
                GROUP BY \(column), type
                ORDER BY \(column), type
                """
        }
        var aggregates: [ActivityAggregate] = []
        let rows = try await client.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
        for try await row in rows.decode((Int32, String, Int64, Int64, Int64, Int64).self) {
            guard let type = ActivityEventType(rawValue: row.1) else { continue }
            aggregates.append(
                ActivityAggregate(
                    periodStart: ActivityDay(daysSince1970: row.0), type: type, userID: query.userID, count: row.2,
                    durationSeconds: row.3, bytesUp: row.4, bytesDown: row.5))
        }
        return aggregates
    }

    /// A time column as whole microseconds since 1970 (`extract` is exact numeric since PostgreSQL 14).
    static func micros(_ column: String) -> String {
        "floor(extract(epoch FROM \(column)) * 1000000)::int8"
    }
}
