import Activity
@testable import CallsAPI
import CallsStore
import Foundation
import Synchronization

/// The activity reads over events and aggregate rows in memory, defined the plain way: sort, filter, sum.
/// Global rows are kept per stripe, as PostgreSQL keeps them, so the twin sums them too.
final class InMemoryActivityReads: ActivityReads, Sendable {
    struct Row: Sendable {
        var period: ActivityAggregateQuery.Period
        var start: ActivityDay
        var type: ActivityEventType
        /// Nil: a global row.
        var userID: String?
        var stripe: Int = 0
        var count: Int64
        var durationSeconds: Int64 = 0
        var bytesUp: Int64 = 0
        var bytesDown: Int64 = 0
    }

    private let contents = Mutex<(events: [ActivityEvent], rows: [Row])>(([], []))
    /// Aggregate reads that reached the twin (the cache's misses).
    private let aggregateReadCount = Atomic<Int>(0)

    init(events: [ActivityEvent] = [], rows: [Row] = []) {
        contents.withLock { $0 = (events, rows) }
    }

    func add(_ rows: [Row]) {
        contents.withLock { $0.rows += rows }
    }

    var aggregateReads: Int { aggregateReadCount.load(ordering: .relaxed) }

    func detail(_ query: ActivityDetailQuery) async throws -> ActivityDetailPage {
        let events = contents.withLock { $0.events }
        var matching = events.filter { event in
            event.userID == query.userID && query.from.map { Microseconds.of(event.startedAt) >= Microseconds.of($0) } != false
                && query.to.map { Microseconds.of(event.startedAt) < Microseconds.of($0) } != false
                && query.type.map { event.type == $0 } != false
        }
        matching.sort { $0.precedesInDetail($1) }
        if let after = query.after {
            let position = ActivityEvent(
                sourceID: after.sourceID, eventID: after.eventID, userID: query.userID, type: .data,
                startedAt: Microseconds.date(after.startedAtMicros), receivedAt: Date())
            matching = matching.filter { position.precedesInDetail($0) }
        }
        let page = Array(matching.prefix(query.limit))
        return ActivityDetailPage(
            items: page, nextCursor: matching.count > query.limit ? page.last.map(ActivityCursor.init(after:)) : nil)
    }

    func aggregates(_ query: ActivityAggregateQuery) async throws -> [ActivityAggregate] {
        aggregateReadCount.add(1, ordering: .relaxed)
        let rows = contents.withLock { $0.rows }.filter { row in
            row.period == query.period && row.userID == query.userID && row.start >= query.from && row.start <= query.to
                && query.type.map { row.type == $0 } != false
        }
        var sums: [ActivityDay: [ActivityEventType: ActivityAggregate]] = [:]
        for row in rows {
            var sum =
                sums[row.start]?[row.type]
                ?? ActivityAggregate(
                    periodStart: row.start, type: row.type, userID: row.userID, count: 0, durationSeconds: 0, bytesUp: 0, bytesDown: 0)
            sum.count += row.count
            sum.durationSeconds += row.durationSeconds
            sum.bytesUp += row.bytesUp
            sum.bytesDown += row.bytesDown
            sums[row.start, default: [:]][row.type] = sum
        }
        return sums.keys.sorted().flatMap { day in sums[day]!.keys.sorted().map { sums[day]![$0]! } }
    }
}

/// The aggregate cache's store in memory: what was stored, with the lifetime asked for (never expiring by
/// itself: tests expire entries by hand), or failing every call.
final class InMemoryActivityCacheStore: ActivityCacheStore, Sendable {
    struct CacheUnavailable: Error {}

    private let entries = Mutex<[String: (value: String, milliseconds: Int64)]>([:])
    private let failingFlag = Atomic<Bool>(false)

    var failing: Bool {
        get { failingFlag.load(ordering: .relaxed) }
        set { failingFlag.store(newValue, ordering: .relaxed) }
    }

    var stored: [String: (value: String, milliseconds: Int64)] { entries.withLock { $0 } }

    func expireAll() {
        entries.withLock { $0.removeAll() }
    }

    func value(at key: String) async throws -> String? {
        if failing { throw CacheUnavailable() }
        return entries.withLock { $0[key]?.value }
    }

    func store(_ value: String, at key: String, milliseconds: Int64) async throws {
        if failing { throw CacheUnavailable() }
        entries.withLock { $0[key] = (value, milliseconds) }
    }

    func remove(at key: String) async throws {
        if failing { throw CacheUnavailable() }
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }
}
