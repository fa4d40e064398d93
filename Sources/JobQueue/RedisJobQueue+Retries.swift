import Foundation

/// Retries, dead letters and delivery counting. Times come from the Redis clock (`TIME` inside the scripts),
/// so workers on machines with skewed clocks agree on when a retry is due.
extension RedisJobQueue {
    static let scheduleScript = QueueScript(
        keys: [.delayed, .processing, .job],
        body: """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZADD', delayed, now + tonumber(ARGV[1]), ARGV[2])
            redis.call('LREM', processing, 1, ARGV[2])
            redis.call('HSET', job, 'last_error', ARGV[3])
            return now
            """)

    static let promoteScript = QueueScript(
        keys: [.delayed], movesToReadyLists: true,
        body: """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local due = redis.call('ZRANGEBYSCORE', delayed, '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
            for _, payload in ipairs(due) do
              redis.call('ZREM', delayed, payload)
              redis.call('RPUSH', readyFor(payload), payload)
            end
            return #due
            """)

    /// Counts one more delivery of `payload`; returns the count. A job that keeps killing the worker
    /// processing it is recognised by this number growing without the job ever finishing.
    public func recordDelivery(_ payload: String) async throws -> Int {
        Int(try await client.command("HINCRBY", keys.job(payload), "deliveries", "1").integer ?? 0)
    }

    /// Takes the job out of the worker's processing list and puts it in the delayed set, due after `delay`.
    public func scheduleRetry(_ payload: String, after delay: Duration, worker: String, error: String) async throws {
        try await client.command(
            Self.scheduleScript.command(
                keys, worker: worker, payload: payload, arguments: [String(max(0, delay.milliseconds)), payload, error]))
    }

    /// Moves due retries to the consuming end of the ready list; returns how many.
    @discardableResult
    public func promoteDueRetries(limit: Int = 500) async throws -> Int {
        Int(try await client.command(Self.promoteScript.command(keys, arguments: [String(limit)])).integer ?? 0)
    }

    /// Gives up on the job: records it with its error in the dead set and takes it out of the worker's list,
    /// in one script, so no reaper or operator's retry sees it in both places or in neither.
    public func deadLetter(_ payload: String, worker: String, error: String) async throws {
        try await client.command(Self.deadLetterScript.command(keys, worker: worker, payload: payload, arguments: [payload, error]))
    }

    static let deadLetterScript = QueueScript(
        keys: [.job, .dead, .processing],
        body: """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('HSET', job, 'last_error', ARGV[2])
            redis.call('ZADD', dead, now, ARGV[1])
            redis.call('LREM', processing, 1, ARGV[1])
            """)

    public func deadPayloads() async throws -> [String] {
        (try await client.command("ZRANGE", keys.dead, "0", "-1").array ?? []).compactMap(\.string)
    }

    public func delayedPayloads() async throws -> [String] {
        (try await client.command("ZRANGE", keys.delayed, "0", "-1").array ?? []).compactMap(\.string)
    }

    public func lastError(of payload: String) async throws -> String? {
        try await client.command("HGET", keys.job(payload), "last_error").string
    }
}
