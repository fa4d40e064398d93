import CallsStore
import Logging
import Metrics
import Synchronization

/// Aggregate answers kept for at most `bound` (`CALLS_ACTIVITY_CACHE_SECONDS`) from the moment the database
/// read that made them started, so none outlives the snapshot it holds by more than `bound`: an event whose
/// aggregation committed before a read started is in that read's answer, and an answer that misses it was
/// read before, so expires less than `bound` after the commit (and the aggregator acknowledges an event only
/// after its commit). The Redis `SET` is sent with what is left of `bound` when the read is done; its own
/// trip to Redis (well under a millisecond on a LAN) is the only slack. A read that took `bound` or longer
/// is not kept, nor an answer larger than `maxEntryBytes`. The cache never fails a read: when Redis is away
/// or refuses, the answer comes from PostgreSQL.
struct ActivityAggregateCache: Sendable {
    enum Outcome: String, Sendable, CaseIterable {
        /// Answered from the cache.
        case hit
        /// Read from the database (and stored when it may be).
        case miss
        /// The cache failed (get or set); answered from the database.
        case error
    }

    let store: any ActivityCacheStore
    let keys: ActivityCacheKeys
    /// More than zero: without a cache, no `ActivityAggregateCache` is made.
    let bound: Duration
    var maxEntryBytes = 1 << 20
    /// The outcomes of this cache's reads, as `calls_activity_cache_total` counts them over every cache.
    let outcomes = OutcomeCounts()

    func answer(
        _ query: ActivityAggregateQuery, logger: Logger, read: @Sendable () async throws -> String
    ) async throws -> String {
        let key = keys.key(query)
        do {
            if let cached = try await store.value(at: key) {
                record(.hit)
                return cached
            }
        } catch {
            logger.warning("activity cache not read: redis failed", metadata: ["error": "\(error)"])
            record(.error)
            return try await read()
        }
        let started = ContinuousClock.now
        let answer = try await read()
        guard answer.utf8.count <= maxEntryBytes, let lifetime = Self.entryMilliseconds(bound: bound, readTook: .now - started)
        else {
            record(.miss)
            return answer
        }
        do {
            try await store.store(answer, at: key, milliseconds: lifetime)
            record(.miss)
            // The lifetime was counted before the SET went out; one that waited for a connection, or crossed a
            // slow network, could outlive the bound by that wait: such an entry goes at once.
            if ContinuousClock.now - started >= bound { try await store.remove(at: key) }
        } catch {
            logger.warning("activity cache not written: redis failed", metadata: ["error": "\(error)"])
            record(.error)
        }
        return answer
    }

    /// What is left of `bound` once the read took `readTook`, in whole milliseconds rounded down; nil when
    /// nothing is.
    static func entryMilliseconds(bound: Duration, readTook: Duration) -> Int64? {
        let left = bound - readTook
        let milliseconds = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
        return milliseconds > 0 ? milliseconds : nil
    }

    private func record(_ outcome: Outcome) {
        outcomes.add(outcome)
        Counter(label: "calls_activity_cache_total", dimensions: [("outcome", outcome.rawValue)]).increment()
    }

    final class OutcomeCounts: Sendable {
        private let counts = Mutex<[Outcome: Int]>([:])

        func add(_ outcome: Outcome) {
            counts.withLock { $0[outcome, default: 0] += 1 }
        }

        subscript(_ outcome: Outcome) -> Int {
            counts.withLock { $0[outcome, default: 0] }
        }
    }
}
