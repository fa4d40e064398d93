import Foundation
import Testing

@testable import ActivityLoad

/// A clock that only moves when someone sleeps: every sleep returns at once, at the time asked for.
final class SteppingClock: LoadClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0.0

    func now() -> Double { lock.withLock { current } }

    func sleep(until seconds: Double) async throws {
        lock.withLock { current = max(current, seconds) }
    }
}

@Suite("The rate schedule")
struct RateScheduleTests {
    @Test("5000 events/s in batches of 500: ten batches in every second, all events, none early")
    func batchesPerSecond() async throws {
        let schedule = RateSchedule(rate: 5000, durationSeconds: 3, batchLimit: 500)
        let clock = SteppingClock()
        let generator = EventGenerator(sourceID: "rate", users: 10, duplicateShare: 0, seed: 1)
        let dispenser = BatchDispenser(schedule: schedule, generator: generator, clock: clock)
        var perSecond: [Int: Int] = [:]
        var events = 0
        while let slot = try await dispenser.take() {
            let offset = clock.now()
            #expect(offset >= schedule.dueOffset(slot.index))
            perSecond[Int(offset), default: 0] += 1
            events += slot.items.count
        }
        #expect(perSecond == [0: 10, 1: 10, 2: 10])
        #expect(events == 15_000)
    }

    @Test("a low rate is spread over the run, not sent at once")
    func lowRate() {
        let schedule = RateSchedule(rate: 5, durationSeconds: 2, batchLimit: 500)
        #expect(schedule.batchSize == 1)
        #expect(schedule.batchCount == 10)
        #expect(schedule.batchesDue(by: 0.99) == 5)
        #expect(schedule.batchesDue(by: 1.99) == 10)
        #expect(schedule.batchesDue(by: 60) == 10)
    }

    @Test("a partial last batch carries the remainder")
    func remainder() {
        let schedule = RateSchedule(rate: 1000, durationSeconds: 1.25, batchLimit: 100)
        #expect(schedule.totalEvents == 1250)
        #expect(schedule.batchCount == 13)
        #expect(schedule.size(12) == 50)
        #expect(schedule.dueOffset(10) == 1.0)
    }

    @Test("durations: 60s, 2m, 500ms, plain seconds; nonsense refused")
    func durations() throws {
        #expect(try DurationText.seconds("60s") == 60)
        #expect(try DurationText.seconds("2m") == 120)
        #expect(try DurationText.seconds("500ms") == 0.5)
        #expect(try DurationText.seconds("1.5") == 1.5)
        #expect(throws: (any Error).self) { try DurationText.seconds("soon") }
    }
}
