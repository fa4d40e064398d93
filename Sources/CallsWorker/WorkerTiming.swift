/// How often the worker's background duties run, derived from the heartbeat TTL
/// (`CALLS_HEARTBEAT_TTL_SECONDS`).
public struct WorkerTiming: Sendable {
    /// A worker whose heartbeat is older than this is dead.
    public var heartbeatTTL: Duration
    /// How often due retries are moved to the ready queue.
    public var promotionInterval: Duration = .milliseconds(250)
    /// A job unclaimed this long (not in the outbox, not in Redis) is considered lost and re-enqueued.
    public var unclaimedGrace: Duration = .seconds(30)
    /// A slot whose fetches have not come back for this long is reported stuck by `/readyz` and the metrics.
    /// A healthy `BLMOVE` returns within its 1 s timeout, and a dead connection fails after the 5 s socket
    /// timeout, so only a connection that answers nothing for longer than both trips it.
    public var fetchStallThreshold: Duration = .seconds(10)

    public init(heartbeatTTL: Duration = .seconds(10)) {
        self.heartbeatTTL = heartbeatTTL
    }

    /// Five beats per TTL, so a beat or two may be late without the worker being declared dead.
    public var heartbeatInterval: Duration { heartbeatTTL / 5 }

    /// Reaper and reconciler at least twice per TTL (at most every 5 s), so a dead worker's jobs return to
    /// the queue within about one and a half TTLs.
    public var maintenanceInterval: Duration { min(.seconds(5), heartbeatTTL / 2) }

    /// After a Redis restart, wait this long before declaring workers dead: they need a heartbeat or two to
    /// re-register.
    public var restartGrace: Duration { heartbeatTTL * 3 }
}
