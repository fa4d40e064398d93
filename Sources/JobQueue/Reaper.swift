import Foundation

/// Returns the jobs of dead workers to the ready queue. Any number of processes may run it; a lock makes
/// one of them do the work at a time, and the move itself is one Lua script, so a job is always in exactly
/// one list.
public struct Reaper: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// Another process holds the reaper lock.
        case busy
        /// Redis restarted less than `restartGrace` ago: live workers may not have re-registered their
        /// heartbeats yet, so nobody is declared dead.
        case waitingAfterRestart
        /// Dead workers found (by id) and the jobs handed back.
        case reaped(workers: [String], jobs: Int)
    }

    public static let lockPeriod: Duration = .seconds(1)

    public let keys: QueueKeys
    private let client: RedisClient
    private let owner: String
    public var restartGrace: Duration

    public init(client: RedisClient, keys: QueueKeys, owner: String, restartGrace: Duration) {
        self.client = client
        self.keys = keys
        self.owner = owner
        self.restartGrace = restartGrace
    }

    static let script = QueueScript(
        keys: [.workers], movesToReadyLists: true,
        body: """
            local reply = {0}
            for _, worker in ipairs(redis.call('HKEYS', workers)) do
              if redis.call('EXISTS', ARGV[1] .. worker) == 0 then
                local theirs = ARGV[2] .. worker
                local payload = redis.call('RPOP', theirs)
                while payload do
                  redis.call('RPUSH', readyFor(payload), payload)
                  reply[1] = reply[1] + 1
                  payload = redis.call('RPOP', theirs)
                end
                redis.call('HDEL', workers, worker)
                table.insert(reply, worker)
              end
            end
            return reply
            """)

    public func reap() async throws -> Outcome {
        guard try await redisUptime() >= restartGrace else { return .waitingAfterRestart }
        // Held until it expires: reaping once per lock period is plenty, whichever process does it.
        let lock = try await client.command("SET", keys.reaperLock, owner, "NX", "PX", String(Self.lockPeriod.milliseconds))
        guard lock.string == "OK" else { return .busy }
        // A requeued job goes to the consuming end of `ready` (BLMOVE takes from the right): it has waited
        // long enough already.
        let reply = try await client.command(Self.script.command(keys, arguments: [keys.heartbeatPrefix, keys.processingPrefix]))
        // The number of jobs moved, then the ids of the dead workers.
        guard let entries = reply.array, let moved = entries.first?.integer else {
            throw RedisError(.protocolViolation, "reaper script answered \(reply)")
        }
        return .reaped(workers: entries.dropFirst().compactMap(\.string), jobs: Int(moved))
    }

    /// Seconds since the Redis server started, from `INFO server`.
    func redisUptime() async throws -> Duration {
        let info = try await client.command("INFO", "server").string ?? ""
        for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("uptime_in_seconds:") {
            if let seconds = Int64(line.dropFirst("uptime_in_seconds:".count).trimmingCharacters(in: .whitespaces)) {
                return .seconds(seconds)
            }
        }
        throw RedisError(.protocolViolation, "INFO server has no uptime_in_seconds")
    }
}
