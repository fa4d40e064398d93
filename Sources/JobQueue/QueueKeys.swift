/// Redis keys of one queue. They share the hash tag `{name}` so that multi-key commands (`BLMOVE`, Lua
/// scripts) stay valid on a Redis Cluster.
public struct QueueKeys: Sendable {
    public let name: String

    public init(name: String) {
        self.name = name
    }

    /// Jobs waiting for a worker.
    public var ready: String { "{\(name)}:ready" }

    /// Jobs a worker has taken and not yet acknowledged.
    public func processing(worker: String) -> String { "{\(name)}:proc:\(worker)" }

    /// Prefix of the processing lists, for scripts that build the name from a worker id.
    public var processingPrefix: String { "{\(name)}:proc:" }

    /// Exists while the worker is alive; it expires when heartbeats stop.
    public func heartbeat(worker: String) -> String { "{\(name)}:hb:\(worker)" }

    public var heartbeatPrefix: String { "{\(name)}:hb:" }

    /// Hash of registered workers: id -> description.
    public var workers: String { "{\(name)}:workers" }

    /// Jobs waiting for a retry, scored by the time (ms, Redis clock) they are due.
    public var delayed: String { "{\(name)}:delayed" }

    /// Jobs that will not be retried, scored by the time they died.
    public var dead: String { "{\(name)}:dead" }

    /// Per-job bookkeeping: deliveries, last error.
    public func job(_ payload: String) -> String { "{\(name)}:job:\(payload)" }

    /// Held by the one process that reaps dead workers at a time.
    public var reaperLock: String { "{\(name)}:lock:reaper" }

    /// Held by the one process that reconciles PostgreSQL with Redis at a time.
    public var reconcilerLock: String { "{\(name)}:lock:reconciler" }
}
