import Foundation
import SeededRandomness
import Testing

@testable import ActivityLoad

/// A seed names one run's events for good: these values were taken from the generator before it moved to a
/// shared module, so a change to its arithmetic (or a different generator behind the name) shows here.
@Suite("The seeded generator's sequence stays the same")
struct SeededSequenceTests {
    @Test("SplitMix64 words, units, log-normal, Pareto and UUIDs for fixed seeds")
    func pinnedValues() {
        var random = SeededRandom(seed: 42)
        #expect(random.next() == 0xBDD7_3226_2FEB_6E95)
        #expect(random.next() == 0x28EF_E333_B266_F103)
        #expect(random.next() == 0x4752_6757_130F_9F52)
        random = SeededRandom(seed: 42)
        #expect(random.unit() == 0.7415648787718233)
        #expect(random.unit() == 0.1599103928769201)
        random = SeededRandom(seed: 7)
        #expect(abs(random.logNormal(median: 90, sigma: 1.0) - 352.4123601976131) < 1e-9)
        random = SeededRandom(seed: 7)
        #expect(abs(random.pareto(minimum: 20_000, alpha: 1.1) - 31338.233614756675) < 1e-8)
        random = SeededRandom(seed: 9)
        #expect(random.uuid().uuidString.lowercased() == "aeaf52fe-be70-4064-802d-8a5e87afea62")
    }

    @Test("the first events of seed 42 are the ones every earlier run made")
    func pinnedEvents() {
        var generator = EventGenerator(sourceID: "pin", users: 10, duplicateShare: 0.1, seed: 42)
        let now = Date(timeIntervalSince1970: 1_760_961_600)
        let first = generator.batch(count: 3, now: now).map(\.event).map {
            "\($0.eventID) \($0.userID) \($0.type.rawValue) \($0.startedMilliseconds) \($0.durationSeconds) \($0.cell)"
        }
        #expect(
            first == [
                "b1b847dd-a656-4d1e-8d3e-067731dfb475 pin-u000008 SMS_SENT 1760961599148 0 G98",
                "c6ea43d0-c2f6-4400-8f28-55f5f6be6662 pin-u000008 CALL_IN 1760961596453 101 G98",
                "9acddf11-d5a5-4af6-8766-4a2246820d9e pin-u000008 CALL_IN 1760961598718 19 G12",
            ])
    }
}
