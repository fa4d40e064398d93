/// Redis keys of one queue. They share the hash tag `{name}` so that multi-key commands (`BLMOVE`, Lua
/// scripts) stay valid on a Redis Cluster.
public struct QueueKeys: Sendable {
    public let name: String

    public init(name: String) {
        self.name = name
    }

    /// Analysis jobs waiting for a worker.
    public var ready: String { "{\(name)}:ready" }

    /// Archive jobs waiting for a worker. A list of their own, taken by their own slots, so a backlog of
    /// MP3 conversions never delays an analysis.
    public var archiveReady: String { ready(for: .archive) }

    /// Callback deliveries waiting for a worker: network-bound, on slots of their own.
    public var callbackReady: String { ready(for: .callback) }

    /// Every kind has a ready list of its own; the analyses' keeps the name it had before there were kinds.
    public func ready(for kind: Job.Kind) -> String {
        kind == .analyze ? ready : "{\(name)}:ready:\(kind.rawValue)"
    }

    /// Every ready list, in `Job.Kind.allCases` order: the order of the `KEYS` a `QueueScript` that moves
    /// jobs back to a ready list gets after its own.
    public var readyLists: [String] { Job.Kind.allCases.map(ready(for:)) }

    /// The kind whose ready list takes a payload that names no kind, so its worker drops it.
    public static let kindOfMalformedPayloads = Job.Kind.analyze

    /// The ready list a raw payload belongs to, as the scripts' `readyFor(payload)` picks it.
    public func ready(forPayload payload: String) -> String {
        let kind = payload.firstIndex(of: ":").flatMap { Job.Kind(rawValue: String(payload[..<$0])) }
        return ready(for: kind ?? Self.kindOfMalformedPayloads)
    }

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
}
