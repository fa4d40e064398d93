import CallsCore
import Foundation

/// CDRs and their statistics as the API reads them; PostgreSQL in production, an in-memory twin in route tests.
public protocol CdrReader: Sendable {
    func cdr(id: Int64) async throws -> CallDetailRecord?
    /// One page of `query.limit` records at most, newest first.
    func cdrs(_ query: CdrQuery) async throws -> CdrPage
    /// One bucket without a grouping (its `start` nil), else one per hour or day with calls, oldest first.
    func callTotals(_ query: StatisticsQuery) async throws -> [CallTotalsBucket]
    /// As `callTotals`, per operator (calls without an operator are not counted); `source` and `callType` of
    /// the query are not used.
    func operatorTotals(_ query: StatisticsQuery) async throws -> [OperatorTotalsBucket]
}
