import CallsCore
import Foundation
import Logging
import PostgresNIO

/// CDRs in PostgreSQL, for the API: single records, keyset pages, and statistics from the rollups of
/// migration 0019 (`PostgresCdrStore+Statistics`).
public struct PostgresCdrStore: CdrReader {
    let client: DatabaseClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger, deadline: Duration? = DatabaseDeadline.defaultLimit) {
        self.client = DatabaseClient(client, deadline: deadline)
        self.logger = logger
    }

    public func cdr(id: Int64) async throws -> CallDetailRecord? {
        let rows = try await client.query("SELECT \(unescaped: CdrRow.columns) FROM cdrs d WHERE d.id = \(id)", logger: logger)
        for try await row in rows { return try CdrRow.decode(row) }
        return nil
    }

    /// Served by `cdrs_start_time_idx` read backwards, or by the operator's or source's (…, start_time, id)
    /// index when that filter is given.
    public func cdrs(_ query: CdrQuery) async throws -> CdrPage {
        var bindings = PostgresBindings()
        func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
            bindings.append(value)
            return "$\(bindings.count)"
        }
        var conditions: [String] = []
        if let from = query.from { conditions.append("d.start_time >= \(SQLTime.literal(bind(SQLTime.micros(from))))") }
        if let to = query.to { conditions.append("d.start_time < \(SQLTime.literal(bind(SQLTime.micros(to))))") }
        if let operatorID = query.operatorID { conditions.append("d.operator_id = \(bind(operatorID))") }
        if let result = query.result { conditions.append("d.call_result = \(bind(result))") }
        if let source = query.source { conditions.append("d.source = \(bind(source))") }
        if let after = query.after {
            conditions.append(
                "(d.start_time, d.id) < (\(SQLTime.literal(bind(after.startTimeMicros))), \(bind(after.id)))")
        }
        // One row more than asked for tells whether another page follows.
        let sql = """
            SELECT \(CdrRow.columns), floor(extract(epoch FROM d.start_time) * 1000000)::int8
            FROM cdrs d
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY d.start_time DESC, d.id DESC
            LIMIT \(query.limit + 1)
            """
        var rows: [(record: CallDetailRecord, micros: Int64)] = []
        for try await row in try await client.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger) {
            rows.append((try CdrRow.decode(row), try row.makeRandomAccess()[CdrRow.columnCount].decode(Int64.self)))
        }
        let page = rows.prefix(query.limit)
        let next = rows.count > query.limit ? page.last.map { CdrCursor(startTimeMicros: $0.micros, id: $0.record.id) } : nil
        return CdrPage(items: page.map(\.record), nextCursor: next)
    }
}

/// Times bound as whole microseconds, rounded: PostgresNIO truncates a `Date`'s microseconds, so a bound
/// parsed from `…:00.123Z` would otherwise reach PostgreSQL as `…:00.122999`.
enum SQLTime {
    static func micros(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// The SQL for a bound parameter holding microseconds since the epoch.
    static func literal(_ parameter: String) -> String {
        "(timestamptz 'epoch' + \(parameter) * interval '1 microsecond')"
    }
}
