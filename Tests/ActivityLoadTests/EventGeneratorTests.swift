import Activity
import CPUBoundTesting
import CallsCore
import Foundation
import Testing

@testable import ActivityLoad

@Suite("The load generator's events", .cpuBound)
struct EventGeneratorTests {
    static let now = Date(timeIntervalSince1970: 1_760_961_600)  // 2025-10-20T12:00:00Z

    static func batches(
        seed: UInt64, users: Int = 50, duplicates: Double = 0.05, count: Int = 20, size: Int = 200
    )
        -> [[EventGenerator.Item]]
    {
        var generator = EventGenerator(sourceID: "loadgen-test", users: users, duplicateShare: duplicates, seed: seed)
        return (0..<count).map { index in generator.batch(count: size, now: now.addingTimeInterval(Double(index) / 10)) }
    }

    @Test("the same seed gives the same events, another seed others")
    func deterministic() {
        let first = Self.batches(seed: 7).flatMap { $0.map(\.event.json) }
        let again = Self.batches(seed: 7).flatMap { $0.map(\.event.json) }
        let other = Self.batches(seed: 8).flatMap { $0.map(\.event.json) }
        #expect(first == again)
        #expect(first != other)
        #expect(Set(first).count > first.count * 9 / 10)
    }

    @Test("every event passes the API's own validation, with the subscriber ids of the run")
    func valid() throws {
        let items = Self.batches(seed: 3).flatMap { $0 }
        let body = Array(("[" + items.map(\.event.json).joined(separator: ",") + "]").utf8)
        let parsed = try ActivityEventJSON.parse(body, now: Self.now, window: ActivityTimeWindow(now: Self.now, retentionMonths: 13))
        #expect(parsed.rejections == [])
        #expect(parsed.events.count == items.count)
        for (event, item) in zip(parsed.events, items) {
            #expect(event.userID.hasPrefix("loadgen-test-u"))
            #expect(event.sourceID == "loadgen-test")
            #expect(event.startedAt <= Self.now.addingTimeInterval(2))
            switch event.type {
            case .smsSent, .smsReceived:
                #expect(event.durationSeconds == 0 && event.bytesUp == 0 && event.bytesDown == 0 && event.endedAt == nil)
            case .callIn, .callOut:
                #expect(event.durationSeconds >= 3 && event.durationSeconds <= 3600 && event.bytesDown == 0)
                #expect(Microseconds.of(event.endedAt!) == Microseconds.of(event.startedAt) + event.durationSeconds * 1_000_000)
            case .data:
                #expect(event.bytesDown >= 20_000 && event.endedAt != nil)
            }
            #expect(event.meta?.contains("\"cell\"") == true)
            #expect(item.event.type.rawValue == event.type.rawValue)
        }
    }

    @Test("times are written to the exact millisecond (a truncating Date formatter would show .953 for .954)")
    func exactMilliseconds() {
        #expect(MillisecondTime.format(1_796_079_563_954) == "2026-11-30T22:59:23.954Z")
        #expect(MillisecondTime.format(1_796_079_563_000) == "2026-11-30T22:59:23.000Z")
        #expect(MillisecondTime.format(951_782_400_001) == "2000-02-29T00:00:00.001Z")
        #expect(MillisecondTime.format(0) == "1970-01-01T00:00:00.000Z")
        // Every day of four years, against Foundation's own formatting of whole seconds.
        for day in Int64(20_000)..<21_461 {
            let milliseconds = day * 86_400_000 + 45_296_789
            let whole = Date(timeIntervalSince1970: Double(milliseconds / 1000)).formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
            #expect(MillisecondTime.format(milliseconds) == whole.dropLast() + ".789Z")
        }
        for milliseconds in stride(from: Int64(1_796_079_563_000), to: 1_796_079_564_000, by: 7) {
            let text = MillisecondTime.format(milliseconds)
            #expect(Microseconds.of(Timestamp.parse(text)!) == milliseconds * 1000, "\(text)")
        }
    }

    @Test("each subscriber has a mix of its own, and the events follow it")
    func typeMixPerUser() {
        var generator = EventGenerator(sourceID: "mix", users: 4, duplicateShare: 0, seed: 11)
        let events = (0..<40).flatMap { _ in generator.batch(count: 1000, now: Self.now) }.map(\.event)
        var favourites = Set<LoadEventType>()
        for subscriber in generator.subscribers {
            let own = events.filter { $0.userID == subscriber.userID }
            #expect(own.count > 2000)
            let total = subscriber.typeWeights.reduce(0, +)
            for (type, weight) in zip(LoadEventType.allCases, subscriber.typeWeights) {
                let share = Double(own.filter { $0.type == type }.count) / Double(own.count)
                #expect(abs(share - weight / total) < 0.03, "\(subscriber.userID) \(type): \(share) vs \(weight / total)")
            }
            let favourite = zip(LoadEventType.allCases, subscriber.typeWeights).max { $0.1 < $1.1 }!.0
            favourites.insert(favourite)
        }
        // Profiles differ: not every subscriber does most of the same thing.
        #expect(favourites.count > 1)
    }

    @Test("duplicates: about the share asked, exact copies of events of earlier batches")
    func duplicateShare() {
        let batches = Self.batches(seed: 5, duplicates: 0.1, count: 50, size: 200)
        var earlier: [String: String] = [:]
        var duplicates = 0
        var total = 0
        for batch in batches {
            for item in batch where item.isDuplicate {
                duplicates += 1
                #expect(earlier[item.event.eventID] == item.event.json)
            }
            for item in batch where !item.isDuplicate {
                #expect(earlier[item.event.eventID] == nil)
                earlier[item.event.eventID] = item.event.json
            }
            total += batch.count
        }
        let share = Double(duplicates) / Double(total)
        #expect(share > 0.085 && share < 0.115, "\(share)")
    }
}
