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
}
