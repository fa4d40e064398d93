import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs `statement` as an unnamed statement, parsed anew each time, and decodes every row.
    ///
    /// Not as a named prepared statement: PostgresNIO remembers a failed preparation per connection and fails
    /// every later use of that statement on that connection with the same error. A preparation that waits on
    /// a lock past `statement_timeout` (a migration's `ALTER TABLE`, a slow transaction) would so break the
    /// upload or the worker's claim on that connection for good. Parsing costs a fraction of a millisecond.
    func executeUnprepared<Statement: PostgresPreparedStatement>(
        _ statement: Statement, logger: Logger
    ) async throws -> [Statement.Row] {
        let query = PostgresQuery(unsafeSQL: Statement.sql, binds: try statement.makeBindings())
        var rows: [Statement.Row] = []
        for try await row in try await self.query(query, logger: logger) {
            rows.append(try statement.decodeRow(row))
        }
        return rows
    }
}
