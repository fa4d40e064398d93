/// What the activity read routes ask of the store: PostgreSQL in production, an in-memory twin in route tests.
public protocol ActivityReads: Sendable {
    /// At most `query.limit` events, newest first, and the position after the last when more follow.
    func detail(_ query: ActivityDetailQuery) async throws -> ActivityDetailPage
    /// One entry per period and type with events, by period start, then type (byte order); periods and
    /// types without events are left out.
    func aggregates(_ query: ActivityAggregateQuery) async throws -> [ActivityAggregate]
}
