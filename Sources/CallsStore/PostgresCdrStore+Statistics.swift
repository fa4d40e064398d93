import CallsCore
import Foundation
import PostgresNIO

/// Statistics read the rollups (migration 0019) for whole months (operators), days and hours, and `cdrs`
/// only for the partial hours at the ends of the period (`StatisticsSpans`), so a year costs a few thousand
/// rollup rows rather than a million CDRs.
extension PostgresCdrStore {
    public func callTotals(_ query: StatisticsQuery) async throws -> [CallTotalsBucket] {
        // No monthly rollup of the summary: a year is 365 daily rows per source and call type.
        let coarsest: StatisticsSpans.Grain = query.groupBy == .hour ? .hour : .day
        var sql = StatisticsSQL(spans: StatisticsSpans(from: query.from, to: query.to, coarsest: coarsest))
        let filters = sql.filters(source: query.source, callType: query.callType)
        let rollup = "total_calls, answered_calls, duration_seconds, waited_calls, wait_seconds, answered_talk_seconds"
        let parts = sql.parts(
            month: nil,
            day: { "SELECT day AS at, \(rollup) FROM cdr_calls_daily WHERE day >= \($0) AND day < \($1)\(filters)" },
            hour: { "SELECT hour AS at, \(rollup) FROM cdr_calls_hourly WHERE hour >= \($0) AND hour < \($1)\(filters)" },
            raw: {
                """
                SELECT start_time AS at, 1, answered::int, duration_seconds, (wait_seconds IS NOT NULL)::int,
                       coalesce(wait_seconds, 0), CASE WHEN answered THEN talk_seconds ELSE 0 END
                FROM cdrs WHERE start_time >= \($0) AND start_time < \($1)\(filters)
                """
            })
        let sums = """
            sum(total_calls)::int8, sum(answered_calls)::int8, sum(duration_seconds)::int8, sum(waited_calls)::int8,
            sum(wait_seconds)::int8, sum(answered_talk_seconds)::int8
            """
        let text: String
        if let grouping = query.groupBy {
            text = """
                SELECT date_trunc('\(grouping.rawValue)', at, 'UTC'), \(sums)
                FROM (\(parts)) AS p (at, total_calls, answered_calls, duration_seconds, waited_calls, wait_seconds, answered_talk_seconds)
                GROUP BY 1 HAVING sum(total_calls) > 0 ORDER BY 1
                """
        } else {
            text = """
                SELECT NULL::timestamptz, \(sums)
                FROM (\(parts)) AS p (at, total_calls, answered_calls, duration_seconds, waited_calls, wait_seconds, answered_talk_seconds)
                """
        }
        var buckets: [CallTotalsBucket] = []
        let rows = try await client.query(PostgresQuery(unsafeSQL: text, binds: sql.bindings), logger: logger)
        for try await row in rows.decode((Date?, Int64?, Int64?, Int64?, Int64?, Int64?, Int64?).self) {
            var totals = CallTotals()
            totals.totalCalls = row.1 ?? 0
            totals.answeredCalls = row.2 ?? 0
            totals.durationSeconds = row.3 ?? 0
            totals.waitedCalls = row.4 ?? 0
            totals.waitSeconds = row.5 ?? 0
            totals.answeredTalkSeconds = row.6 ?? 0
            buckets.append(CallTotalsBucket(start: row.0, totals: totals))
        }
        return buckets
    }

    /// The operator's name comes from its most recent CDR with one, looked up once per operator in the result
    /// through `cdrs_operator_start_time_idx`.
    public func operatorTotals(_ query: StatisticsQuery) async throws -> [OperatorTotalsBucket] {
        // Operators have a monthly rollup too: 200 operators' days over a year would be 73 000 rows.
        let coarsest: StatisticsSpans.Grain = query.groupBy.map { $0 == .hour ? .hour : .day } ?? .month
        var sql = StatisticsSQL(spans: StatisticsSpans(from: query.from, to: query.to, coarsest: coarsest))
        let rollup = "operator_id, call_count, duration_seconds, talk_seconds"
        let raw = { (from: String, to: String) in
            """
            SELECT start_time AS at, operator_id, 1, duration_seconds, talk_seconds
            FROM cdrs WHERE start_time >= \(from) AND start_time < \(to) AND operator_id IS NOT NULL
            """
        }
        let totals: String
        if let grouping = query.groupBy {
            // A rollup row of the bucket's own grain is a whole bucket of one operator already: only the
            // partial buckets at the ends (finer rollups and raw rows) are summed, not the thousands of
            // daily rows of a month by day.
            let edges = sql.parts(
                below: coarsest, month: nil, day: { _, _ in "" },
                hour: { "SELECT hour AS at, \(rollup) FROM cdr_operators_hourly WHERE hour >= \($0) AND hour < \($1)" },
                raw: raw)
            let wholeTable = coarsest == .hour ? ("hour", "cdr_operators_hourly") : ("day", "cdr_operators_daily")
            let whole = sql.parts(only: coarsest) {
                """
                SELECT \(wholeTable.0), \(rollup) FROM \(wholeTable.1)
                WHERE \(wholeTable.0) >= \($0) AND \(wholeTable.0) < \($1) AND call_count > 0
                """
            }
            totals = """
                SELECT date_trunc('\(grouping.rawValue)', at, 'UTC') AS bucket, operator_id, sum(call_count)::int8 AS call_count,
                       sum(duration_seconds)::int8 AS duration_seconds, sum(talk_seconds)::int8 AS talk_seconds
                FROM (\(edges)) AS p (at, operator_id, call_count, duration_seconds, talk_seconds)
                GROUP BY 1, operator_id HAVING sum(call_count) > 0
                \(whole.map { "UNION ALL\n\($0)" } ?? "")
                """
        } else {
            let parts = sql.parts(
                month: { "SELECT month AS at, \(rollup) FROM cdr_operators_monthly WHERE month >= \($0) AND month < \($1)" },
                day: { "SELECT day AS at, \(rollup) FROM cdr_operators_daily WHERE day >= \($0) AND day < \($1)" },
                hour: { "SELECT hour AS at, \(rollup) FROM cdr_operators_hourly WHERE hour >= \($0) AND hour < \($1)" },
                raw: raw)
            totals = """
                SELECT NULL::timestamptz AS bucket, operator_id, sum(call_count)::int8 AS call_count,
                       sum(duration_seconds)::int8 AS duration_seconds, sum(talk_seconds)::int8 AS talk_seconds
                FROM (\(parts)) AS p (at, operator_id, call_count, duration_seconds, talk_seconds)
                GROUP BY operator_id HAVING sum(call_count) > 0
                """
        }
        let text = """
            WITH totals AS (
                \(totals)
            ), names AS (
                SELECT o.operator_id, n.operator_name
                FROM (SELECT DISTINCT operator_id FROM totals) AS o
                LEFT JOIN LATERAL (
                    SELECT d.operator_name FROM cdrs d
                    WHERE d.operator_id = o.operator_id AND d.operator_name IS NOT NULL
                    ORDER BY d.start_time DESC, d.id DESC LIMIT 1
                ) AS n ON true
            )
            SELECT t.bucket, array_agg(t.operator_id), array_agg(coalesce(names.operator_name, '')),
                   array_agg(names.operator_name IS NULL), array_agg(t.call_count), array_agg(t.duration_seconds),
                   array_agg(t.talk_seconds)
            FROM totals t JOIN names USING (operator_id)
            GROUP BY t.bucket ORDER BY t.bucket
            """
        var buckets: [OperatorTotalsBucket] = []
        let rows = try await client.query(PostgresQuery(unsafeSQL: text, binds: sql.bindings), logger: logger)
        // One row per bucket with its operators in arrays (a name's NULL as a flag beside it, arrays have no
        // optional elements): 6 000 rows of six cells cost more in messages and cell decoding than the rest
        // of such an answer together. The arrays of one row come from one aggregation, so they are in the
        // same row order; they are sorted by operator here, since an ORDER BY in each of them (PostgreSQL 15
        // sorts every one separately) cost more than the rows it saved.
        for row in rows.collect() {
            var cells = row.makeIterator()
            let start = try cells.column(Date?.self)
            let ids = try cells.column([Int64].self)
            let names = try cells.column([String].self)
            let nameless = try cells.column([Bool].self)
            let counts = try cells.column([Int64].self)
            let durations = try cells.column([Int64].self)
            let talks = try cells.column([Int64].self)
            guard [names.count, nameless.count, counts.count, durations.count, talks.count].allSatisfy({ $0 == ids.count }) else {
                throw PostgresRow.Iterator.MissingColumn()
            }
            var operators: [OperatorTotals] = []
            operators.reserveCapacity(ids.count)
            for index in ids.indices {
                operators.append(
                    OperatorTotals(
                        operatorID: ids[index], operatorName: nameless[index] ? nil : names[index], callCount: counts[index],
                        durationSeconds: durations[index], talkSeconds: talks[index]))
            }
            operators.sort { $0.operatorID < $1.operatorID }
            buckets.append(OperatorTotalsBucket(start: start, operators: operators))
        }
        if query.groupBy == nil, buckets.isEmpty { buckets.append(OperatorTotalsBucket(start: nil, operators: [])) }
        return buckets
    }
}

/// The UNION ALL of one SELECT per non-empty span, with every value bound.
struct StatisticsSQL {
    let spans: StatisticsSpans
    private(set) var bindings = PostgresBindings()

    init(spans: StatisticsSpans) {
        self.spans = spans
    }

    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
        bindings.append(value)
        return "$\(bindings.count)"
    }

    mutating func time(_ date: Date) -> String {
        SQLTime.literal(bind(SQLTime.micros(date)))
    }

    /// ` AND source = $n AND call_type = $m`, for what is given.
    mutating func filters(source: String?, callType: String?) -> String {
        var text = ""
        if let source { text += " AND source = \(bind(source))" }
        if let callType { text += " AND call_type = \(bind(callType))" }
        return text
    }

    /// Each closure gets the span's bound `from` and `to` (a span of a grain without a closure cannot occur:
    /// the caller's coarsest grain has one).
    /// `below`: only the spans finer than this grain.
    mutating func parts(
        below: StatisticsSpans.Grain? = nil, month: ((String, String) -> String)?, day: (String, String) -> String,
        hour: (String, String) -> String, raw: (String, String) -> String
    ) -> String {
        var selects: [String] = []
        for span in spans.spans where below.map({ span.grain < $0 }) ?? true {
            let (from, to) = (time(span.from), time(span.to))
            switch span.grain {
            case .raw: selects.append(raw(from, to))
            case .hour: selects.append(hour(from, to))
            case .day: selects.append(day(from, to))
            case .month: if let month { selects.append(month(from, to)) }
            }
        }
        // A period always has a span (from < to); the statement must stay valid regardless.
        if selects.isEmpty { selects.append(raw(time(Date(timeIntervalSince1970: 0)), time(Date(timeIntervalSince1970: 0)))) }
        return selects.joined(separator: "\nUNION ALL\n")
    }

    /// The spans of exactly `grain`, one SELECT each; nil when there are none.
    mutating func parts(only grain: StatisticsSpans.Grain, select: (String, String) -> String) -> String? {
        var selects: [String] = []
        for span in spans.spans where span.grain == grain {
            selects.append(select(time(span.from), time(span.to)))
        }
        return selects.isEmpty ? nil : selects.joined(separator: "\nUNION ALL\n")
    }
}

extension PostgresRow.Iterator {
    struct MissingColumn: Error {}

    /// The next cell as `Value`.
    mutating func column<Value: PostgresDecodable>(_: Value.Type) throws -> Value {
        guard let cell = next() else { throw MissingColumn() }
        return try cell.decode(Value.self)
    }
}
