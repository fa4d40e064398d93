/// How often the worker's background duties run.
public struct WorkerTiming: Sendable {
    public var heartbeatInterval: Duration = .seconds(2)
    public var heartbeatTTL: Duration = .seconds(10)
    public var maintenanceInterval: Duration = .seconds(5)
    /// How often due retries are moved to the ready queue.
    public var promotionInterval: Duration = .milliseconds(250)
    /// A job unclaimed this long (not in the outbox, not in Redis) is considered lost and re-enqueued.
    public var unclaimedGrace: Duration = .seconds(30)

    public init() {}

    /// After a Redis restart, wait this long before declaring workers dead: they need a heartbeat or two to
    /// re-register.
    public var restartGrace: Duration { heartbeatTTL * 3 }
}
