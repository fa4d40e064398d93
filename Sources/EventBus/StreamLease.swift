import JobQueue

/// A lease in Redis that one owner holds at a time and must renew before it lapses: how the processes that
/// could consume a stream in order elect the one that does. A holder that stops renewing (it died, or lost
/// Redis) loses the lease after `ttl`, and another takes it over. A lease alone cannot stop a holder that
/// paused past its lease from acting once more; what it protects must also be fenced where it is written.
public struct StreamLease: Sendable {
    public let key: String
    let redis: RedisClient

    public init(redis: RedisClient, key: String) {
        self.redis = redis
        self.key = key
    }

    /// Takes the lease for `owner` when nobody holds it (or `owner` already does); whether it holds it now.
    public func acquire(owner: String, ttl: Duration) async throws -> Bool {
        let reply = try await redis.command(["EVAL", Self.acquireScript, "1", key, owner, String(Self.milliseconds(ttl))])
        return reply.integer == 1
    }

    /// Extends the lease `owner` holds; false when it does not hold it any more.
    public func renew(owner: String, ttl: Duration) async throws -> Bool {
        let reply = try await redis.command(["EVAL", Self.renewScript, "1", key, owner, String(Self.milliseconds(ttl))])
        return reply.integer == 1
    }

    /// Gives the lease up at once (on a clean stop), if `owner` still holds it.
    public func release(owner: String) async throws {
        try await redis.command(["EVAL", Self.releaseScript, "1", key, owner])
    }

    /// Who holds the lease now, if anyone.
    public func holder() async throws -> String? {
        try await redis.command("GET", key).string
    }

    static let acquireScript = """
        local holder = redis.call('GET', KEYS[1])
        if holder and holder ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return 1
        """

    static let renewScript = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """

    static let releaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
        return 1
        """

    static func milliseconds(_ duration: Duration) -> Int {
        max(1, EventStream.milliseconds(duration))
    }
}
