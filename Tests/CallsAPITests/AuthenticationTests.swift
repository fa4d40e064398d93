@testable import CallsAPI
import CallsCore
import CallsStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JobQueue
import NIOCore
import Synchronization
import TestSupport
import Testing

/// API keys at the routes: who gets in, who is refused and how, over the in-memory key store.
@Suite struct AuthenticationTests {
    let keys = InMemoryAPIKeyRepository()

    /// The in-memory key store never takes 5 s, but the whole suite can starve this process's two cooperative
    /// threads for a minute on a 2-core machine: a lookup deadline then turned a test's 200 into a 503.
    func access(cacheLifetime: Duration = .seconds(5), limiter: (any RateLimiter)? = nil, perSecond: Double? = nil) -> AccessControl {
        AccessControl(
            settings: AccessSettings(authentication: true, requestsPerSecond: perSecond, burst: 1),
            authenticator: APIKeyAuthenticator(keys: keys, cacheLifetime: cacheLifetime, lookupDeadline: .seconds(120)),
            limiter: limiter)
    }

    func key(_ role: APIRole) async throws -> String {
        try await keys.create(role: role, name: "test").1.text
    }

    @Test func aRequestWithoutAKeyIsAskedForOne() async throws {
        try await RouteHarness.run(access: access()) { _, client in
            try await client.execute(uri: "/calls", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.contentType] == Problem.contentType)
                #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="calls""#)
                #expect(problemCode(response) == "authentication_required")
            }
        }
    }

    @Test func keysThatAreNotValidAreRefusedAlike() async throws {
        let good = try await key(.admin)
        let (revokedKey, revokedToken) = try await keys.create(role: .admin, name: "old")
        _ = try await keys.revoke(id: revokedKey.id)
        let unknown = APIKeyToken.generate().text
        let wrongSecret = String(good.dropLast(2)) + (good.hasSuffix("00") ? "11" : "00")
        let headers = [
            "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer calls_nonsense", "Bearer \(good) extra", "Token \(good)",
            "Bearer \(unknown)", "Bearer \(wrongSecret)", "Bearer \(revokedToken.text)",
        ]
        try await RouteHarness.run(access: access()) { _, client in
            for header in headers {
                try await client.execute(uri: "/calls", method: .get, headers: [.authorization: header]) { response in
                    #expect(response.status == .unauthorized, "\(header)")
                    #expect(problemCode(response) == "invalid_api_key", "\(header)")
                    #expect(response.headers[.wwwAuthenticate]?.contains(#"error="invalid_token""#) == true)
                }
            }
        }
    }

    @Test func eachRoleReachesItsOwnRoutesAndThoseBelow() async throws {
        let read = try await key(.read)
        let write = try await key(.write)
        try await RouteHarness.run(access: access()) { _, client in
            try await client.expectStatus(.ok, .get, "/calls", key: read)
            try await client.expectStatus(.created, .post, "/calls", key: write, body: Self.newCall)
            try await client.expectStatus(.ok, .get, "/calls", key: write)
            for (method, path) in [
                (HTTPRequest.Method.post, "/calls"), (.delete, "/calls/\(UUID())"), (.patch, "/calls/\(UUID())"),
                (.post, "/calls/\(UUID())/recording"),
            ] {
                try await client.execute(uri: path, method: method, headers: [.authorization: "Bearer \(read)"]) { response in
                    #expect(response.status == .forbidden, "\(method) \(path)")
                    #expect(problemCode(response) == "insufficient_role")
                    #expect(response.headers[.wwwAuthenticate]?.contains("insufficient_scope") == true)
                }
            }
        }
    }

    @Test func theSchemeIsCaseInsensitive() async throws {
        let read = try await key(.read)
        try await RouteHarness.run(access: access()) { _, client in
            try await client.execute(uri: "/calls", method: .get, headers: [.authorization: "bearer  \(read)"]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func healthAndSignedDownloadsNeedNoKey() async throws {
        try await RouteHarness.run(access: access()) { _, client in
            try await client.expectStatus(.ok, .get, "/healthz")
            try await client.expectStatus(.ok, .get, "/readyz")
            // The signature decides, not a key: a bad one is 403 url_signature_invalid, never 401.
            let path = "/recordings/\(UUID())/content?format=original&expires=\(Int(Date().timeIntervalSince1970) + 60)&sig=00"
            try await client.execute(uri: path, method: .get) { response in
                #expect(problemCode(response) == "url_signature_invalid")
            }
        }
    }

    @Test func aKnownKeyIsLookedUpOncePerCacheLifetime() async throws {
        let read = try await key(.read)
        // An hour: a lifetime the test could outlive on a starved machine would count a second lookup.
        try await RouteHarness.run(access: access(cacheLifetime: .seconds(3600))) { _, client in
            for _ in 0..<5 { try await client.expectStatus(.ok, .get, "/calls", key: read) }
        }
        #expect(keys.lookups == 1)
        #expect(try await keys.list().first?.lastUsedAt != nil)
    }

    @Test func aRevokedKeyIsRefusedOnceItsCacheLifetimeIsOver() async throws {
        let (stored, token) = try await keys.create(role: .read, name: "leaving")
        try await RouteHarness.run(access: access(cacheLifetime: .zero)) { _, client in
            try await client.expectStatus(.ok, .get, "/calls", key: token.text)
            _ = try await keys.revoke(id: stored.id)
            try await client.expectStatus(.unauthorized, .get, "/calls", key: token.text)
        }
    }

    @Test func aKeyOverItsRateIsToldWhenToComeBack() async throws {
        let limited = try await key(.read)
        let other = try await key(.read)
        let limiter = AllowingFirst(1, retryAfter: .milliseconds(1500))
        try await RouteHarness.run(access: access(limiter: limiter, perSecond: 1)) { _, client in
            try await client.expectStatus(.ok, .get, "/calls", key: limited)
            try await client.execute(uri: "/calls", method: .get, headers: [.authorization: "Bearer \(limited)"]) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "2")
                #expect(problemCode(response) == "rate_limited")
            }
            try await client.expectStatus(.ok, .get, "/calls", key: other)
        }
    }

    @Test func requestsGoOnWhenTheRateLimitStoreIsUnreachable() async throws {
        let read = try await key(.read)
        // Nothing listens on port 1: every rate limit check fails to connect.
        let redis = RedisClient(url: RedisURL(host: "127.0.0.1", port: 1, database: 0, password: nil), socketTimeoutSeconds: 1)
        let limiter = RedisRateLimiter(client: redis, prefix: "test:")
        try await RouteHarness.run(access: access(limiter: limiter, perSecond: 1)) { _, client in
            for _ in 0..<3 { try await client.expectStatus(.ok, .get, "/calls", key: read) }
        }
        await redis.shutdown()
    }

    @Test func withAuthenticationOffNoKeyIsAsked() async throws {
        let off = AccessControl(settings: .open, authenticator: APIKeyAuthenticator(keys: keys), limiter: nil)
        try await RouteHarness.run(access: off) { _, client in
            try await client.expectStatus(.ok, .get, "/calls")
            try await client.expectStatus(.created, .post, "/calls", body: Self.newCall)
        }
        #expect(keys.lookups == 0)
    }

    @Test func aKeyThatCannotBeCheckedIs503NotARefusal() async throws {
        let read = try await key(.read)
        let broken = AccessControl(
            settings: AccessSettings(), authenticator: APIKeyAuthenticator(keys: UnreachableKeys()), limiter: nil)
        try await RouteHarness.run(access: broken) { _, client in
            try await client.execute(uri: "/calls", method: .get, headers: [.authorization: "Bearer \(read)"]) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(problemCode(response) == "database_unavailable")
                #expect(response.headers[.retryAfter] != nil)
            }
        }
    }

    /// Made-up key ids, three times as many as the memory holds, pass through the memory of missing ids and
    /// leave the real key where it was: it is not looked up again.
    @Test func madeUpKeysCannotPushARealKeyOutOfMemory() async throws {
        // A generous deadline and lifetime: this test is about memory, and the whole suite kept both cores busy
        // for 70 s in a CI run, long enough for a 60 s lifetime to end and the real key to be looked up again.
        let authenticator = APIKeyAuthenticator(
            keys: keys, cacheLifetime: .seconds(3600), cacheCapacity: 100, lookupDeadline: .seconds(120))
        let read = try await key(.read)
        _ = try await authenticator.authenticate(authorization: "Bearer \(read)")
        for _ in 0..<300 {
            await #expect(throws: Problem.self) {
                try await authenticator.authenticate(authorization: "Bearer \(APIKeyToken.generate().text)")
            }
        }
        #expect(authenticator.rememberedKeyIDs.existing == 1)
        #expect(authenticator.rememberedKeyIDs.missing <= 100)
        let lookupsBefore = keys.lookups
        _ = try await authenticator.authenticate(authorization: "Bearer \(read)")
        #expect(keys.lookups == lookupsBefore)
    }

    /// One address guessing keys gets its burst of database lookups, then 429 without a query; another
    /// address, and the real keys already in memory, are not held up.
    @Test func guessingKeysFromOneAddressIsThrottledBeforeTheDatabase() async throws {
        let throttle = KeyLookupThrottle(perSecond: 0.001, burst: 5)
        let authenticator = APIKeyAuthenticator(
            keys: keys, cacheLifetime: .seconds(3600), throttle: throttle, lookupDeadline: .seconds(120))
        let read = try await key(.read)
        _ = try await authenticator.authenticate(authorization: "Bearer \(read)", client: "198.51.100.7")
        var refusals: [String] = []
        for _ in 0..<50 {
            do {
                _ = try await authenticator.authenticate(authorization: "Bearer \(APIKeyToken.generate().text)", client: "198.51.100.7")
            } catch let problem as Problem {
                refusals.append(problem.code)
            }
        }
        #expect(refusals.filter { $0 == "invalid_api_key" }.count == 4)
        #expect(refusals.filter { $0 == "rate_limited" }.count == 46)
        #expect(keys.lookups == 5)
        _ = try await authenticator.authenticate(authorization: "Bearer \(read)", client: "198.51.100.7")
        await #expect(throws: Problem.self) {
            try await authenticator.authenticate(authorization: "Bearer \(APIKeyToken.generate().text)", client: "203.0.113.9")
        }
        #expect(keys.lookups == 6)
    }

    @Test func theThrottleRefillsAndForgetsIdleAddresses() {
        let throttle = KeyLookupThrottle(perSecond: 10, burst: 2, capacity: 3)
        let start = ContinuousClock.now
        #expect(throttle.take(client: "a", now: start) == nil)
        #expect(throttle.take(client: "a", now: start) == nil)
        #expect(throttle.take(client: "a", now: start) == .milliseconds(100))
        #expect(throttle.take(client: "a", now: start + .milliseconds(100)) == nil)
        for client in ["b", "c"] { #expect(throttle.take(client: client, now: start) == nil) }
        // Full: a new address makes room by forgetting those whose buckets have refilled since.
        #expect(throttle.take(client: "d", now: start + .seconds(1)) == nil)
        #expect(throttle.trackedClients == 1)
    }

    /// Redis that accepts connections and never answers: the requests that meet it wait out one timeout
    /// together instead of one after another (eight requests once took 1, 2, ... 8 s, each on a new
    /// connection). Counted in connections, not seconds: a busy machine stalls all requests alike.
    @Test func aSilentRateLimitStoreIsAskedOnceNotOncePerRequest() async throws {
        let read = try await key(.read)
        let silent = try SilentListener(counting: true)
        let redis = RedisRateLimiter.makeClient(url: RedisURL(host: "127.0.0.1", port: silent.port))
        let limiter = RedisRateLimiter(client: redis, prefix: "test:")
        try await RouteHarness.run(access: access(limiter: limiter, perSecond: 1)) { _, client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await client.expectStatus(.ok, .get, "/calls", key: read) }
                }
                try await group.waitForAll()
            }
        }
        // One connection per lane (two) is tried; the rest fail at once inside the backoff. Three or four
        // meant a lane had already opened a new connection for its next command before the caller of the
        // one that timed out resumed and started the backoff (seen on a loaded machine).
        #expect(silent.connections <= 2, "\(silent.connections) connections to the silent store")
        await redis.shutdown()
    }

    /// One IPv6 host holds a whole /64: its addresses share one bucket.
    @Test func anIPv6ClientIsCountedByItsSlash64() {
        #expect(KeyLookupThrottle.bucketName("2001:db8:1:2::7") == KeyLookupThrottle.bucketName("2001:db8:1:2:ffff::1"))
        #expect(KeyLookupThrottle.bucketName("2001:db8:1:2::7") != KeyLookupThrottle.bucketName("2001:db8:1:3::7"))
        #expect(KeyLookupThrottle.bucketName("::ffff:198.51.100.7") == "198.51.100.7")
        #expect(KeyLookupThrottle.bucketName("198.51.100.7") == "198.51.100.7")
        let throttle = KeyLookupThrottle(perSecond: 0.001, burst: 2)
        #expect(throttle.take(client: "2001:db8::1") == nil)
        #expect(throttle.take(client: "2001:db8::2") == nil)
        #expect(throttle.take(client: "2001:db8::3") != nil)
    }

    /// An address flood fills the table: the guessers' empty buckets are kept, so they cannot reset their own
    /// limit by flooding.
    @Test func aFullTableKeepsTheEmptiestBuckets() {
        let throttle = KeyLookupThrottle(perSecond: 0.001, burst: 3, capacity: 10)
        let start = ContinuousClock.now
        for _ in 0..<3 { #expect(throttle.take(client: "203.0.113.1", now: start) == nil) }
        #expect(throttle.take(client: "203.0.113.1", now: start) != nil)
        for index in 0..<50 { _ = throttle.take(client: "198.51.100.\(index)", now: start) }
        #expect(throttle.take(client: "203.0.113.1", now: start) != nil, "the guesser's empty bucket survived the flood")
        #expect(throttle.trackedClients <= 10)
    }

    /// Redis answering an error (OOM, LOADING, READONLY, BUSY) is not a refusal: the request goes on.
    @Test func requestsGoOnWhenTheRateLimitStoreAnswersAnError() async throws {
        let read = try await key(.read)
        try await RouteHarness.run(access: access(limiter: FailingLimiter(), perSecond: 1)) { _, client in
            for _ in 0..<3 { try await client.expectStatus(.ok, .get, "/calls", key: read) }
        }
    }

    static let newCall = #"{"caller": "+1 555 0100", "receiver": "+1 555 0199", "started_at": "2026-11-21T09:30:00Z"}"#
}

/// Lets a key's first `count` requests through, then refuses with `retryAfter`.
final class AllowingFirst: RateLimiter {
    private let taken = Mutex<[String: Int]>([:])
    let count: Int
    let retryAfter: Duration

    init(_ count: Int, retryAfter: Duration) {
        self.count = count
        self.retryAfter = retryAfter
    }

    func take(key: String, perSecond: Double, burst: Int) async throws -> RateDecision {
        let used = taken.withLock { taken in
            taken[key, default: 0] += 1
            return taken[key]!
        }
        return used <= count ? .allowed : RateDecision(allowed: false, retryAfter: retryAfter)
    }
}

/// A rate limit store that answers every check with an error reply, as Redis does under OOM or LOADING.
struct FailingLimiter: RateLimiter {
    func take(key: String, perSecond: Double, burst: Int) async throws -> RateDecision {
        throw RedisError(.server, "OOM command not allowed when used memory > 'maxmemory'.")
    }
}

/// Keys behind a database that does not answer in time.
struct UnreachableKeys: APIKeyRepository {
    func create(role: APIRole, name: String) async throws -> (StoredAPIKey, APIKeyToken) { throw DatabaseTimeout(limit: .seconds(5)) }
    func find(id: UUID) async throws -> StoredAPIKey? { throw DatabaseTimeout(limit: .seconds(5)) }
    func list() async throws -> [StoredAPIKey] { throw DatabaseTimeout(limit: .seconds(5)) }
    func revoke(id: UUID) async throws -> StoredAPIKey? { throw DatabaseTimeout(limit: .seconds(5)) }
    func markUsed(id: UUID) async throws { throw DatabaseTimeout(limit: .seconds(5)) }
}
