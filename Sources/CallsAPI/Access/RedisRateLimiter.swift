import CallsCore
import JobQueue

/// Token buckets in Redis, so a key's limit holds across every API node. One script call per request reads
/// the bucket, refills it for the time since its last request, takes a token if there is one and writes it
/// back, atomically. The clock is Redis' own, so API nodes with skewed clocks agree.
struct RedisRateLimiter: RateLimiter {
    let client: RedisClient
    /// Prefix of the bucket keys: `<prefix><key id>`.
    let prefix: String

    /// The limiter's own connections: a short timeout, two connections, and five seconds of failing at once
    /// after a failure, so an unreachable Redis costs the requests that meet it one timeout, not one each in
    /// turn (the limit is then skipped: `RequireRole` lets requests through when it cannot be checked).
    static func makeClient(url: RedisURL) -> RedisClient {
        RedisClient(url: url, socketTimeoutSeconds: 1, connections: 2, reconnectBackoff: .seconds(5))
    }

    func take(key: String, perSecond: Double, burst: Int) async throws -> RateDecision {
        let reply = try await client.command([
            "EVAL", Self.script, "1", prefix + key, String(perSecond), String(burst),
        ])
        guard let values = reply.array, values.count == 2, let allowed = values[0].integer, let waitMicroseconds = values[1].integer else {
            throw RedisError(.protocolViolation, "rate limit script answered \(reply)")
        }
        return allowed == 1 ? .allowed : RateDecision(allowed: false, retryAfter: .microseconds(waitMicroseconds))
    }

    /// Returns {1, 0} when a token was taken, else {0, microseconds until one is there}. Times are kept in
    /// milliseconds: Lua writes numbers with 14 significant digits, too few for microseconds since 1970. The
    /// bucket expires once it would be full again, so idle keys cost no memory.
    static let script = """
        local rate = tonumber(ARGV[1])
        local burst = tonumber(ARGV[2])
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
        local tokens = tonumber(state[1]) or burst
        local at = tonumber(state[2]) or now
        tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
        local allowed, wait = 0, 0
        if tokens >= 1 then
            tokens = tokens - 1
            allowed = 1
        else
            wait = math.ceil((1 - tokens) * 1000000 / rate)
        end
        redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
        redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
        return {allowed, wait}
        """
}
