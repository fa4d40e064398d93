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
    public var archiveReady: String { "{\(name)}:ready:archive" }

    /// Callback deliveries waiting for a worker: network-bound, on slots of their own.
    public var callbackReady: String { "{\(name)}:ready:callback" }

    public func ready(for kind: Job.Kind) -> String {
        switch kind {
        case .analyze: ready
        case .archive: archiveReady
        case .callback: callbackReady
        }
    }

    /// Every ready list, analyses first: the order of the `KEYS` the scripts that use `luaReadyFor` get.
    public var readyLists: [String] { [ready, archiveReady, callbackReady] }

    /// The ready list a raw payload belongs to (a malformed one goes with the analyses, to be dropped there).
    public func ready(forPayload payload: String) -> String {
        for kind in [Job.Kind.archive, .callback] where payload.hasPrefix(kind.rawValue + ":") { return ready(for: kind) }
        return ready
    }

    /// Lua: `readyFor(payload)` picks among the ready lists, passed as `KEYS[first]` and the two after it
    /// in the order of `readyLists`, the way `ready(forPayload:)` does; scripts that move jobs back to a
    /// ready list start with it.
    static func luaReadyFor(firstKey: Int) -> String {
        """
        local function readyFor(payload)
          if string.sub(payload, 1, \(Job.Kind.archive.rawValue.count + 1)) == '\(Job.Kind.archive.rawValue):' then
            return KEYS[\(firstKey + 1)]
          end
          if string.sub(payload, 1, \(Job.Kind.callback.rawValue.count + 1)) == '\(Job.Kind.callback.rawValue):' then
            return KEYS[\(firstKey + 2)]
          end
          return KEYS[\(firstKey)]
        end

        """
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

    /// Held by the one process that reconciles PostgreSQL with Redis at a time.
    public var reconcilerLock: String { "{\(name)}:lock:reconciler" }
}
