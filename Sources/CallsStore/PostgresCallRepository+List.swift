import CallsCore
import Foundation
import PostgresNIO

extension PostgresCallRepository {
    /// One page by keyset (or offset), newest or oldest first, plus the total: exact up to
    /// `CallPage.exactTotalLimit` matches, the planner's estimate beyond.
    public func list(_ query: CallQuery) async throws -> CallPage {
        try await client.bounded { try await page(query) }
    }

    private func page(_ query: CallQuery) async throws -> CallPage {
        var search = CallSearchSQL(query)
        let total = try await total(of: search)
        if let cursor = query.after { search.continuing(after: cursor) }
        let direction = query.order == .newestFirst ? "DESC" : "ASC"
        // One row more than asked for tells whether another page follows.
        let sql = """
            SELECT \(CallRow.columns), floor(extract(epoch FROM c.started_at) * 1000000)::int8
            FROM \(CallRow.source)
            \(search.whereClause)
            ORDER BY c.started_at \(direction), c.id \(direction)
            LIMIT \(query.limit + 1) OFFSET \(query.after == nil ? query.offset : 0)
            """
        var rows: [(call: Call, micros: Int64)] = []
        for try await row in try await client.query(PostgresQuery(unsafeSQL: sql, binds: search.bindings), logger: logger) {
            rows.append((try CallRow.decode(row), try row.makeRandomAccess()[CallRow.columnCount].decode(Int64.self)))
        }
        let page = rows.prefix(query.limit)
        let next =
            rows.count > query.limit
            ? page.last.map { CallCursor(startedAtMicros: $0.micros, id: $0.call.id, order: query.order) }
            : nil
        let items = try await CallOriginDetails.attach(to: page.map(\.call), client: client, logger: logger)
        return CallPage(total: total.count, totalIsEstimate: total.estimated, items: items, nextCursor: next)
    }

    /// Counts at most one match past the limit (cheap whatever the filter); past it, asks the planner.
    private func total(of search: CallSearchSQL) async throws -> (count: Int, estimated: Bool) {
        let cap = CallPage.exactTotalLimit
        let counted =
            try await client.query(
                PostgresQuery(
                    unsafeSQL: "SELECT count(*) FROM (SELECT 1 FROM calls c \(search.whereClause) LIMIT \(cap + 1)) AS matches",
                    binds: search.bindings
                ), logger: logger
            ).decode(Int.self).collectAll().first ?? 0
        guard counted > cap else { return (counted, false) }
        let plans = try await client.query(
            PostgresQuery(
                unsafeSQL: "EXPLAIN (FORMAT JSON) SELECT 1 FROM calls c \(search.whereClause)", binds: search.bindings
            ), logger: logger
        ).decode(String.self).collectAll()
        let plan = (try? JSONSerialization.jsonObject(with: Data((plans.first ?? "[]").utf8))) as? [[String: Any]]
        let estimate = ((plan?.first?["Plan"] as? [String: Any])?["Plan Rows"] as? NSNumber)?.intValue ?? 0
        return (max(cap + 1, estimate), true)
    }
}
