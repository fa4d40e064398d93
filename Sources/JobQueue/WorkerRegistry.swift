import Foundation

/// Which workers are alive. A worker registers once, then refreshes a heartbeat key with a TTL; when the
/// process dies the key expires and the reaper hands its jobs back to the queue.
public struct WorkerRegistry: Sendable {
    public let keys: QueueKeys
    private let client: RedisClient

    public init(client: RedisClient, keys: QueueKeys) {
        self.client = client
        self.keys = keys
    }

    public func register(worker: String, description: String) async throws {
        try await client.command("HSET", keys.workers, worker, description)
    }

    /// Marks the worker alive for `ttl`.
    public func beat(worker: String, ttl: Duration) async throws {
        try await client.command("SET", keys.heartbeat(worker: worker), "1", "PX", String(ttl.milliseconds))
    }

    /// Removes a worker that stopped cleanly (its processing list is empty by then).
    public func deregister(worker: String) async throws {
        try await client.command("DEL", keys.heartbeat(worker: worker))
        try await client.command("HDEL", keys.workers, worker)
    }

    public func registeredWorkers() async throws -> [String] {
        (try await client.command("HKEYS", keys.workers).array ?? []).compactMap(\.string)
    }

    public func aliveCount() async throws -> Int {
        var alive = 0
        for worker in try await registeredWorkers() {
            if try await client.command("EXISTS", keys.heartbeat(worker: worker)).integer == 1 { alive += 1 }
        }
        return alive
    }
}

extension Duration {
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
