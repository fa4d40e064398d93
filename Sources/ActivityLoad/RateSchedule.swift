import Foundation

/// When each batch is due, so the rate holds whatever the server does (open loop): batch `i` is due at
/// `i × size / rate` seconds from the start, late batches go at once, and none waits for another's answer.
public struct RateSchedule: Sendable, Equatable {
    public let rate: Double
    public let totalEvents: Int
    public let batchSize: Int
    /// At least this many batches a second, so a low rate is still spread over the run rather than sent at once.
    public static let minBatchesPerSecond = 10.0

    public init(rate: Double, durationSeconds: Double, batchLimit: Int) {
        self.rate = rate
        totalEvents = max(1, Int((rate * durationSeconds).rounded()))
        batchSize = max(1, min(batchLimit, Int(rate / Self.minBatchesPerSecond)))
    }

    public var batchCount: Int { (totalEvents + batchSize - 1) / batchSize }

    /// Seconds from the start at which batch `index` is due.
    public func dueOffset(_ index: Int) -> Double {
        Double(index * batchSize) / rate
    }

    /// The events in batch `index` (the last one may be short).
    public func size(_ index: Int) -> Int {
        min(batchSize, totalEvents - index * batchSize)
    }

    /// How many batches are due by `elapsed` seconds from the start.
    public func batchesDue(by elapsed: Double) -> Int {
        guard elapsed >= 0 else { return 0 }
        return min(batchCount, Int((elapsed * rate / Double(batchSize)).rounded(.down)) + 1)
    }
}

/// A source of time: the real one, or a test's.
public protocol LoadClock: Sendable {
    /// Seconds since some fixed instant.
    func now() -> Double
    func sleep(until seconds: Double) async throws
}

public struct SystemLoadClock: LoadClock {
    private let origin = ContinuousClock.now

    public init() {}

    public func now() -> Double {
        let elapsed = ContinuousClock.now - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    public func sleep(until seconds: Double) async throws {
        let wait = seconds - now()
        if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
    }
}

/// Hands the workers the schedule's batches in order, each at its due time; nil once all are handed out.
public actor BatchDispenser {
    public struct Slot: Sendable {
        public var index: Int
        public var items: [EventGenerator.Item]
    }

    let schedule: RateSchedule
    let clock: any LoadClock
    let start: Double
    var generator: EventGenerator
    var next = 0
    let wallClock: @Sendable () -> Date

    public init(
        schedule: RateSchedule, generator: EventGenerator, clock: any LoadClock, wallClock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.schedule = schedule
        self.generator = generator
        self.clock = clock
        self.start = clock.now()
        self.wallClock = wallClock
    }

    /// The next batch, after waiting for its due time; generated only then, so its events start "now".
    public func take() async throws -> Slot? {
        guard next < schedule.batchCount else { return nil }
        let index = next
        next += 1
        // Reserved before sleeping: every worker waits for its own slot, and slots go out in order.
        try await clock.sleep(until: start + schedule.dueOffset(index))
        return Slot(index: index, items: generator.batch(count: schedule.size(index), now: wallClock()))
    }
}
