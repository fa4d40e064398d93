import CallsCore
import JobQueue

/// Where cached aggregate answers are kept: Redis in production, a dictionary in route tests.
protocol ActivityCacheStore: Sendable {
    /// Nil when the key holds nothing (never set, or expired).
    func value(at key: String) async throws -> String?
    /// Stores `value` for `milliseconds` (at least 1).
    func store(_ value: String, at key: String, milliseconds: Int64) async throws
    func remove(at key: String) async throws
}

struct RedisActivityCacheStore: ActivityCacheStore {
    let client: RedisClient

    /// The cache's own connections: a short timeout and five seconds of failing at once after Redis could not
    /// be reached, so while it is away a read pays one timeout, not one each, before going to PostgreSQL.
    static func makeClient(url: RedisURL) -> RedisClient {
        RedisClient(url: url, socketTimeoutSeconds: 1, connections: 4, reconnectBackoff: .seconds(5))
    }

    func value(at key: String) async throws -> String? {
        let reply = try await client.command(["GET", key])
        if reply == .null { return nil }
        guard let text = reply.string else { throw RedisError(.protocolViolation, "GET answered \(reply)") }
        return text
    }

    func store(_ value: String, at key: String, milliseconds: Int64) async throws {
        try await client.command(["SET", key, value, "PX", String(milliseconds)])
    }

    func remove(at key: String) async throws {
        try await client.command(["DEL", key])
    }
}
