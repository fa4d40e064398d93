import Foundation
import Synchronization

/// How often one client address may send the authenticator to the database about a key id it does not hold
/// in memory: a token bucket per address, in this node's memory. A client with a real key needs one lookup
/// per cache lifetime, far below the rate; one guessing made-up keys is answered 429 once its bucket is
/// empty, without a query. Behind a proxy every client shares the proxy's address, so the rate must cover
/// the lookups of all of them.
final class KeyLookupThrottle: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let perSecond: Double
    let burst: Double
    /// Addresses remembered at most; past it, the buckets that are full again are forgotten first.
    let capacity: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    init(perSecond: Double, burst: Double, capacity: Int = 10_000) {
        self.perSecond = perSecond
        self.burst = burst
        self.capacity = capacity
    }

    /// Nil when `client` may look a key up now; otherwise how long until it may.
    func take(client: String, now: ContinuousClock.Instant = .now) -> Duration? {
        buckets.withLock { buckets in
            var bucket = buckets[client] ?? Bucket(tokens: burst, updated: now)
            let elapsed = Double((now - bucket.updated) / .milliseconds(1)) / 1000
            bucket.tokens = min(burst, bucket.tokens + max(0, elapsed) * perSecond)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                buckets[client] = bucket
                return .milliseconds(Int64(((1 - bucket.tokens) / perSecond * 1000).rounded(.up)))
            }
            bucket.tokens -= 1
            if buckets[client] == nil, buckets.count >= capacity { forgetIdle(&buckets, now: now) }
            buckets[client] = bucket
            return nil
        }
    }

    var trackedClients: Int { buckets.withLock { $0.count } }

    private func forgetIdle(_ buckets: inout [String: Bucket], now: ContinuousClock.Instant) {
        let refillTime = Duration.milliseconds(Int64(burst / perSecond * 1000))
        buckets = buckets.filter { now - $0.value.updated < refillTime }
        // Every bucket still busy: an address flood; forgetting them all costs at most one burst each.
        if buckets.count >= capacity { buckets.removeAll(keepingCapacity: true) }
    }
}
