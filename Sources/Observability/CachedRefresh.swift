/// Runs an expensive read at most once per `interval`, however many callers ask: callers within the interval
/// get the last result, and callers that arrive while a read is under way wait for that read instead of
/// starting their own. So a flood of scrapes or probes costs Redis and PostgreSQL one read per interval.
public actor CachedRefresh<Value: Sendable> {
    private let interval: Duration
    private var last: (at: ContinuousClock.Instant, value: Value)?
    private var running: Task<Value, Never>?
    public private(set) var reads = 0

    public init(interval: Duration) {
        self.interval = interval
    }

    public func value(_ read: @escaping @Sendable () async -> Value) async -> Value {
        if let last, ContinuousClock.now - last.at < interval { return last.value }
        if let running { return await running.value }
        let task = Task { await read() }
        running = task
        reads += 1
        let value = await task.value
        last = (.now, value)
        running = nil
        return value
    }
}
