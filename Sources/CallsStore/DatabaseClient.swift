import Logging
import PostgresNIO

/// The PostgreSQL client every repository talks through. The database deadline (`DatabaseDeadline`) is
/// applied here, once, to every query, unprepared statement and transaction, instead of by a wrapper around
/// each method of each repository; a method that runs several statements puts them in `bounded`, so the
/// deadline bounds the method as a whole, not each statement. Rows are read to the end inside the deadline,
/// so a result never streams from a server that stopped answering.
public struct DatabaseClient: Sendable {
    let postgres: PostgresClient
    /// Nil for none.
    let deadline: Duration?

    public init(_ postgres: PostgresClient, deadline: Duration? = DatabaseDeadline.defaultLimit) {
        self.postgres = postgres
        self.deadline = deadline
    }

    /// A statement that may change data returns only once it is committed (see `StatementEffects`).
    @discardableResult
    func query(_ query: PostgresQuery, logger: Logger) async throws -> QueryRows {
        try await withDeadline {
            guard StatementEffects.mayChangeData(query.sql) else {
                return QueryRows(rows: try await postgres.query(query, logger: logger).collect())
            }
            return try await committed(logger: logger) { QueryRows(rows: try await $0.query(query, logger: logger).collect()) }
        }
    }

    /// Runs `statement` as an unnamed statement, parsed anew each time, and decodes every row; committed before
    /// it returns, like `query`.
    ///
    /// Not as a named prepared statement: PostgresNIO remembers a failed preparation per connection and fails
    /// every later use of that statement on that connection with the same error. A preparation that waits on
    /// a lock past `statement_timeout` (a migration's `ALTER TABLE`, a slow transaction) would so break the
    /// upload or the worker's claim on that connection for good. Parsing costs a fraction of a millisecond.
    func executeUnprepared<Statement: PostgresPreparedStatement>(
        _ statement: Statement, logger: Logger
    ) async throws -> [Statement.Row] where Statement.Row: Sendable {
        let query = PostgresQuery(unsafeSQL: Statement.sql, binds: try statement.makeBindings())
        return try await self.query(query, logger: logger).collect().map { try statement.decodeRow($0) }
    }

    /// `body` inside BEGIN … COMMIT on one connection. Throws what went wrong itself (not PostgresNIO's
    /// transaction wrapper), so callers still see the statement's `PSQLError` and its SQLSTATE.
    private func committed<Result: Sendable>(
        logger: Logger, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        do {
            return try await postgres.withTransaction(logger: logger) { try await body($0) }
        } catch let error as PostgresTransactionError {
            throw error.beginError ?? error.closureError ?? error.commitError ?? error
        }
    }

    /// A transaction whose body does more than query (publishes jobs, removes stored objects): it gets
    /// `deadlines` times the deadline.
    func withTransaction<Result: Sendable>(
        deadlines: Int, logger: Logger, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await withDeadline(times: deadlines) { try await postgres.withTransaction(logger: logger) { try await body($0) } }
    }

    /// Runs several statements under one deadline: the statements inside take none of their own. Only this
    /// client's own statements belong inside (no transaction, whose multiple would be lost, and no other
    /// client, whose deadline would be skipped too: the flag is per task, not per client).
    func bounded<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
        try await withDeadline { try await Self.$boundedByCaller.withValue(true) { try await body() } }
    }

    /// Set inside `bounded`; `DatabaseDeadline.run` runs its operation in a task that inherits it.
    @TaskLocal private static var boundedByCaller = false

    private func withDeadline<Result: Sendable>(
        times: Int = 1, _ operation: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        guard let deadline, !Self.boundedByCaller else { return try await operation() }
        return try await DatabaseDeadline.run(within: deadline * times, operation)
    }
}

/// A result read to the end: iterated and decoded like PostgresNIO's row sequence.
public struct QueryRows: AsyncSequence, Sendable {
    public typealias Element = PostgresRow
    let rows: [PostgresRow]

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: IndexingIterator<[PostgresRow]>

        public mutating func next() async -> PostgresRow? {
            base.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: rows.makeIterator())
    }

    public func collect() -> [PostgresRow] {
        rows
    }

    public func decode<Column: PostgresDecodable & Sendable>(
        _: Column.Type, file: String = #fileID, line: Int = #line
    ) -> AsyncThrowingMapSequence<QueryRows, Column> {
        map { try $0.decode(Column.self, file: file, line: line) }
    }

    public func decode<each Column: PostgresDecodable & Sendable>(
        _ columnType: (repeat each Column).Type, file: String = #fileID, line: Int = #line
    ) -> AsyncThrowingMapSequence<QueryRows, (repeat each Column)> {
        map { try $0.decode(columnType, file: file, line: line) }
    }
}
