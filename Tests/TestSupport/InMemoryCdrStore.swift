import CallsCore
import CallsStore
import Foundation
import Synchronization

/// The in-memory twin of `PostgresCdrStore`: the same answers computed the obvious way, over every record
/// each time. Route tests use it for HTTP; the integration tests compare PostgreSQL's rollups against it.
public final class InMemoryCdrStore: CdrReader {
    private struct State {
        var records: [Int64: CallDetailRecord] = [:]
        var pageReads = 0
        /// Page reads that succeed before every further one fails.
        var failAfterPageReads: Int?
    }

    public struct Unavailable: Error {}

    private let state = Mutex(State())

    public init(_ records: [CallDetailRecord] = []) {
        put(records)
    }

    public func put(_ records: [CallDetailRecord]) {
        state.withLock { state in for record in records { state.records[record.id] = record } }
    }

    public func remove(ids: [Int64]) {
        state.withLock { state in for id in ids { state.records[id] = nil } }
    }

    public var records: [CallDetailRecord] { state.withLock { Array($0.records.values) } }

    /// How many pages `cdrs(_:)` has served.
    public var pageReads: Int { state.withLock { $0.pageReads } }

    public func failPageReads(after count: Int) {
        state.withLock { $0.failAfterPageReads = count }
    }

    public func cdr(id: Int64) async throws -> CallDetailRecord? {
        state.withLock { $0.records[id] }
    }

    public func cdrs(_ query: CdrQuery) async throws -> CdrPage {
        let records = try state.withLock { state in
            if let limit = state.failAfterPageReads, state.pageReads >= limit { throw Unavailable() }
            state.pageReads += 1
            return Array(state.records.values)
        }
        let ordered = records.filter(query.matches).sorted { left, right in
            let (l, r) = (CdrCursor(after: left), CdrCursor(after: right))
            return (l.startTimeMicros, l.id) > (r.startTimeMicros, r.id)
        }
        let page = Array(ordered.prefix(query.limit))
        return CdrPage(items: page, nextCursor: ordered.count > query.limit ? page.last.map(CdrCursor.init(after:)) : nil)
    }

    private func inPeriod(_ query: StatisticsQuery, filtered: Bool) -> [CallDetailRecord] {
        records.filter { record in
            record.startTime >= query.from && record.startTime < query.to
                && (!filtered || query.source.map { $0 == record.source } ?? true)
                && (!filtered || query.callType.map { $0 == record.callType } ?? true)
        }
    }

    public func callTotals(_ query: StatisticsQuery) async throws -> [CallTotalsBucket] {
        let records = inPeriod(query, filtered: true)
        guard let grouping = query.groupBy else {
            var totals = CallTotals()
            for record in records { totals.add(record) }
            return [CallTotalsBucket(start: nil, totals: totals)]
        }
        var buckets: [Date: CallTotals] = [:]
        for record in records { buckets[grouping.bucket(of: record.startTime), default: CallTotals()].add(record) }
        return buckets.keys.sorted().map { CallTotalsBucket(start: $0, totals: buckets[$0]!) }
    }

    public func operatorTotals(_ query: StatisticsQuery) async throws -> [OperatorTotalsBucket] {
        let all = records
        // The name of the operator's most recent record (by start time, then id) that has one, in any period.
        var names: [Int64: (position: CdrCursor, name: String)] = [:]
        for record in all {
            guard let id = record.operatorID, let name = record.operatorName else { continue }
            let position = CdrCursor(after: record)
            if let known = names[id], (known.position.startTimeMicros, known.position.id) > (position.startTimeMicros, position.id) {
                continue
            }
            names[id] = (position, name)
        }
        var buckets: [Date?: [Int64: OperatorTotals]] = [:]
        for record in inPeriod(query, filtered: false) {
            guard let id = record.operatorID else { continue }
            let start = query.groupBy?.bucket(of: record.startTime)
            var totals =
                buckets[start, default: [:]][id]
                ?? OperatorTotals(operatorID: id, operatorName: names[id]?.name, callCount: 0, durationSeconds: 0, talkSeconds: 0)
            totals.callCount += 1
            totals.durationSeconds += Int64(record.durationSeconds)
            totals.talkSeconds += Int64(record.talkSeconds)
            buckets[start, default: [:]][id] = totals
        }
        if query.groupBy == nil {
            return [OperatorTotalsBucket(start: nil, operators: (buckets[nil] ?? [:]).values.sorted { $0.operatorID < $1.operatorID })]
        }
        return buckets.keys.compactMap { $0 }.sorted().map { start in
            OperatorTotalsBucket(start: start, operators: buckets[start]!.values.sorted { $0.operatorID < $1.operatorID })
        }
    }
}
