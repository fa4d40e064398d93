import Foundation

/// What an operator wants to know about the queue, and the one repair they need: retrying a dead job.
extension RedisJobQueue {
    public struct Statistics: Codable, Sendable, Equatable {
        /// Analysis jobs waiting.
        public var ready: Int
        /// Archive jobs waiting.
        public var archiveReady: Int
        /// Callback deliveries waiting.
        public var callbackReady: Int
        public var inFlight: Int
        public var delayed: Int
        public var dead: Int
        public var workersAlive: Int
        public var workersRegistered: Int
    }

    public struct DeadJob: Codable, Sendable, Equatable {
        public var payload: String
        public var callId: String?
        public var error: String?
        public var diedAt: Date
        public var deliveries: Int
    }

    public func statistics(registry: WorkerRegistry) async throws -> Statistics {
        let workers = try await registry.registeredWorkers()
        var inFlight = 0
        for worker in workers { inFlight += try await processingCount(worker: worker) }
        return Statistics(
            ready: try await readyCount(),
            archiveReady: try await readyCount(.archive),
            callbackReady: try await readyCount(.callback),
            inFlight: inFlight,
            delayed: Int(try await client.command("ZCARD", keys.delayed).integer ?? 0),
            dead: Int(try await client.command("ZCARD", keys.dead).integer ?? 0),
            workersAlive: try await registry.aliveCount(),
            workersRegistered: workers.count)
    }

    /// Dead jobs, most recent first.
    public func deadJobs(limit: Int) async throws -> [DeadJob] {
        let entries = try await client.command("ZREVRANGE", keys.dead, "0", String(max(0, limit - 1)), "WITHSCORES").array ?? []
        var jobs: [DeadJob] = []
        for index in stride(from: 0, to: entries.count - 1, by: 2) {
            guard let payload = entries[index].string, let score = entries[index + 1].string.flatMap(Double.init) else { continue }
            let details = try await client.command("HMGET", keys.job(payload), "last_error", "deliveries").array ?? []
            jobs.append(
                DeadJob(
                    payload: payload,
                    callId: Job(payload: payload)?.callID.uuidString.lowercased(),
                    error: details.first?.string,
                    diedAt: Date(timeIntervalSince1970: score / 1000),
                    deliveries: details.count > 1 ? Int(details[1].string ?? "") ?? 0 : 0))
        }
        return jobs
    }

    public func isDead(_ payload: String) async throws -> Bool {
        try await client.command("ZSCORE", keys.dead, payload) != .null
    }

    /// Takes `payload` out of the dead set and queues it afresh (its delivery count reset). False when it was
    /// not dead. One script: a retry cut short never loses the job between the dead set and the ready list.
    public func retryDead(_ payload: String) async throws -> Bool {
        let reply = try await client.command(Self.retryDeadScript.command(keys, payload: payload, arguments: [payload]))
        return reply.integer == 1
    }

    static let retryDeadScript = QueueScript(
        keys: [.dead, .job], movesToReadyLists: true,
        body: """
            if redis.call('ZREM', dead, ARGV[1]) == 0 then return 0 end
            redis.call('DEL', job)
            redis.call('RPUSH', readyFor(ARGV[1]), ARGV[1])
            return 1
            """)
}
