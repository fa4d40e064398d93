import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// How often one client address may send the authenticator to the database about a key id it does not hold
/// in memory: a token bucket per address, in this node's memory. A client with a real key needs one lookup
/// per cache lifetime, far below the rate; one guessing made-up keys is answered 429 once its bucket is
/// empty, without a query. An IPv6 client is counted by its /64, which one host usually holds whole. Behind
/// a proxy every client shares the proxy's address, so the rate must cover the lookups of all of them.
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
    func take(client address: String, now: ContinuousClock.Instant = .now) -> Duration? {
        let client = Self.bucketName(address)
        return buckets.withLock { buckets in
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
        // Room for a tenth of the table at least, so a steady stream of new addresses does not rebuild the
        // table under the lock on every request.
        guard buckets.count >= capacity * 9 / 10 else { return }
        // Every bucket still busy: an address flood. The fullest half goes: forgetting a nearly full bucket
        // gives its client almost nothing, while the empty buckets of the guessers are kept.
        let keep = buckets.sorted { $0.value.tokens < $1.value.tokens }.prefix(capacity / 2)
        buckets = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
    }

    /// The address itself for IPv4, its /64 for IPv6 (an IPv4-mapped IPv6 address counts as its IPv4).
    static func bucketName(_ address: String) -> String {
        var bytes = in6_addr()
        guard address.contains(":"), inet_pton(AF_INET6, address, &bytes) == 1 else { return address }
        let octets = withUnsafeBytes(of: bytes) { Array($0) }
        if octets[0..<10].allSatisfy({ $0 == 0 }), octets[10] == 0xFF, octets[11] == 0xFF {
            return octets[12..<16].map(String.init).joined(separator: ".")
        }
        return octets[0..<8].map { String(format: "%02x", $0) }.joined() + "/64"
    }
}
