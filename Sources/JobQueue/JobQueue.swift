import Foundation
/// Puts jobs on the queue. The API depends on this protocol, so its route tests can use an in-memory twin.
public protocol JobPublisher: Sendable {
    func enqueue(_ job: Job) async throws
    /// Takes a job out of the ready list, the delayed and the dead set, with its bookkeeping; a copy a worker
    /// holds right now stays with it (the worker finds its call gone). Withdrawing an unknown job is fine.
    func withdraw(_ job: Job) async throws
    /// Throws when the queue cannot be reached; for readiness checks.
    func ping() async throws
}

extension JobPublisher {
    /// Withdraws every job a call may have queued, of every kind.
    public func withdrawJobs(of callID: UUID) async throws {
        for kind in Job.Kind.allCases { try await withdraw(Job(kind: kind, callID: callID)) }
    }
}

/// The Redis side of the queue shared by API and workers.
public struct RedisJobQueue: JobPublisher {
    public let keys: QueueKeys
    let client: RedisClient

    public init(client: RedisClient, keys: QueueKeys) {
        self.client = client
        self.keys = keys
    }

    public func enqueue(_ job: Job) async throws {
        try await client.command("LPUSH", keys.ready(for: job.kind), job.payload)
    }

    public func ping() async throws {
        let reply = try await client.command("PING")
        guard reply.string == "PONG" else { throw RedisError(.protocolViolation, "PING answered \(reply)") }
    }

    /// Jobs of `kind` waiting for a worker.
    public func readyCount(_ kind: Job.Kind = .analyze) async throws -> Int {
        Int(try await client.command("LLEN", keys.ready(for: kind)).integer ?? 0)
    }

    public func processingCount(worker: String) async throws -> Int {
        Int(try await client.command("LLEN", keys.processing(worker: worker)).integer ?? 0)
    }

    /// Every payload waiting in the ready list or held in one of `workers`' processing lists. One read per
    /// list, so a reconciliation pass costs the same however many calls it checks.
    public func queuedPayloads(workers: [String]) async throws -> Set<String> {
        var payloads = Set(try await delayedPayloads())
        for list in keys.readyLists + workers.map({ keys.processing(worker: $0) }) {
            for entry in try await client.command("LRANGE", list, "0", "-1").array ?? [] {
                if let payload = entry.string { payloads.insert(payload) }
            }
        }
        return payloads
    }

    /// Returns every job still in `worker`'s processing list to the consuming end of its ready list; used
    /// by a worker that stops with jobs in hand. Returns how many.
    @discardableResult
    public func handBack(worker: String) async throws -> Int {
        Int(try await client.command(Self.handBackScript.command(keys, worker: worker)).integer ?? 0)
    }

    static let handBackScript = QueueScript(
        keys: [.processing], movesToReadyLists: true,
        body: """
            local moved = 0
            local payload = redis.call('RPOP', processing)
            while payload do
              redis.call('RPUSH', readyFor(payload), payload)
              moved = moved + 1
              payload = redis.call('RPOP', processing)
            end
            return moved
            """)

    /// Removes a job from the worker's processing list; only called after its outcome is committed. The job's
    /// bookkeeping (delivery count, last error) goes too, unless another worker still holds a copy of the job
    /// (a duplicate delivery) or `keepingDeliveries` says the job lives on with a lease holder.
    public func acknowledge(payload: String, worker: String, keepingDeliveries: Bool = false) async throws {
        if keepingDeliveries {
            try await client.command("LREM", keys.processing(worker: worker), "1", payload)
        } else {
            // One round trip for both: every completed job goes through here.
            try await client.command(
                Self.acknowledgeScript.command(keys, worker: worker, payload: payload, arguments: [payload, keys.processingPrefix]))
        }
    }

    /// Settles a delivery that found another worker running the job: taken out of this worker's list, and not
    /// counted, since it never ran the job (counted, duplicates of a long job would make it look poisonous).
    public func acknowledgeDuplicate(payload: String, worker: String) async throws {
        try await client.command(Self.acknowledgeDuplicateScript.command(keys, worker: worker, payload: payload, arguments: [payload]))
    }

    public func withdraw(_ job: Job) async throws {
        let payload = job.payload
        try await client.command(Self.withdrawScript.command(keys, payload: payload, arguments: [payload]))
    }

    static let withdrawScript = QueueScript(
        keys: [.delayed, .dead, .job], movesToReadyLists: true,
        body: """
            redis.call('LREM', readyFor(ARGV[1]), 0, ARGV[1])
            redis.call('ZREM', delayed, ARGV[1])
            redis.call('ZREM', dead, ARGV[1])
            redis.call('DEL', job)
            """)

    /// The bookkeeping stays while a registered worker's processing list still holds the payload.
    static let acknowledgeScript = QueueScript(
        keys: [.processing, .job, .workers],
        body: """
            redis.call('LREM', processing, 1, ARGV[1])
            for _, worker in ipairs(redis.call('HKEYS', workers)) do
              if redis.call('LPOS', ARGV[2] .. worker, ARGV[1]) then return 0 end
            end
            redis.call('DEL', job)
            return 1
            """)

    static let acknowledgeDuplicateScript = QueueScript(
        keys: [.processing, .job],
        body: """
            redis.call('LREM', processing, 1, ARGV[1])
            if tonumber(redis.call('HGET', job, 'deliveries') or '0') > 0 then
              redis.call('HINCRBY', job, 'deliveries', -1)
            end
            """)
}

/// Takes jobs of one kind for one worker slot. `BLMOVE` blocks, so each fetcher has its own connection and
/// thread: a slot waiting for work never delays another slot's commands.
public final class JobFetcher: Sendable {
    public let worker: String
    public let kind: Job.Kind
    private let keys: QueueKeys
    private let client: RedisClient

    /// `client` must be used by this fetcher alone.
    public init(client: RedisClient, keys: QueueKeys, worker: String, kind: Job.Kind = .analyze) {
        self.client = client
        self.keys = keys
        self.worker = worker
        self.kind = kind
    }

    /// Atomically moves the oldest ready job of its kind into this worker's processing list, waiting up to
    /// `timeout` seconds. Returns the raw payload, nil when nothing arrived in time.
    public func fetch(timeoutSeconds: Double) async throws -> String? {
        let reply = try await client.command(
            "BLMOVE", keys.ready(for: kind), keys.processing(worker: worker), "RIGHT", "LEFT", String(timeoutSeconds))
        return reply.string
    }

    public func shutdown() async {
        await client.shutdown()
    }
}
