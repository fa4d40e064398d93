import Foundation
import SeededRandomness

/// Makes the load: subscribers each with their own mix of calls, SMS and data, events that look like real
/// ones, and a share of exact duplicates of events of earlier batches. The same seed, source and clock
/// readings give the same batches.
public struct EventGenerator: Sendable {
    /// What one subscriber tends to do.
    public struct Subscriber: Sendable {
        public var userID: String
        /// Relative weights of `LoadEventType.allCases`, in that order.
        public var typeWeights: [Double]
        public var homeCell: String
        var quotedUserID: String
    }

    public struct Item: Sendable {
        public var event: GeneratedEvent
        /// A re-send of an event of an earlier batch (the very same JSON).
        public var isDuplicate: Bool
    }

    public static let maxCallSeconds = 3600.0
    public static let maxDataSeconds = 1800.0
    public static let maxBytes = 2_000_000_000.0
    /// Earlier events a duplicate is drawn from.
    static let duplicatePoolSize = 10_000

    public let sourceID: String
    public let subscribers: [Subscriber]
    public let duplicateShare: Double
    /// How far before now an event starts at most (seconds). Small by default: a subscriber's events still to be
    /// verified then start close together, so each detail poll reads few events besides them.
    public let startSpread: Double
    private let quotedSourceID: String
    private var random: SeededRandom
    /// Cumulative activity per subscriber: some subscribers are much busier than others.
    private let activity: [Double]
    private var earlier: [GeneratedEvent] = []
    private var earlierNext = 0

    public init(sourceID: String, users: Int, duplicateShare: Double, seed: UInt64, startSpread: Double = 5) {
        self.sourceID = sourceID
        self.startSpread = startSpread
        self.duplicateShare = duplicateShare
        quotedSourceID = JSONText.quoted(sourceID)
        var random = SeededRandom(seed: seed)
        var subscribers: [Subscriber] = []
        var activity: [Double] = []
        var total = 0.0
        let letters = Array("ABCDEFGH")
        for index in 0..<users {
            // A profile: talkers, texters, data users, in between; every type possible for everyone.
            let weights = LoadEventType.allCases.map { _ in 0.05 + pow(random.unit(), 2) * 3 }
            let cell = "\(letters[Int(random.next() % UInt64(letters.count))])\(1 + random.next() % 99)"
            let userID = Self.userID(source: sourceID, index: index)
            subscribers.append(Subscriber(userID: userID, typeWeights: weights, homeCell: cell, quotedUserID: JSONText.quoted(userID)))
            total += random.logNormal(median: 1, sigma: 0.8)
            activity.append(total)
        }
        self.subscribers = subscribers
        self.activity = activity
        self.random = random
    }

    /// The run's own subscriber ids, unique per source, so the aggregates hold this run's events only.
    public static func userID(source: String, index: Int) -> String {
        source + "-u" + Padded.digits(index, 6)
    }

    /// The next `count` items, new events starting before `now` and duplicates of earlier batches' events.
    public mutating func batch(count: Int, now: Date) -> [Item] {
        let pool = earlier.count
        var items: [Item] = []
        items.reserveCapacity(count)
        for _ in 0..<count {
            if pool > 0, random.unit() < duplicateShare {
                items.append(Item(event: earlier[Int(random.next() % UInt64(pool))], isDuplicate: true))
            } else {
                items.append(Item(event: newEvent(now: now), isDuplicate: false))
            }
        }
        // Remembered only now, so a duplicate always belongs to an earlier batch than its own.
        for item in items where !item.isDuplicate {
            if earlier.count < Self.duplicatePoolSize {
                earlier.append(item.event)
            } else {
                earlier[earlierNext] = item.event
                earlierNext = (earlierNext + 1) % Self.duplicatePoolSize
            }
        }
        return items
    }

    mutating func newEvent(now: Date) -> GeneratedEvent {
        let subscriber = subscribers[pickSubscriber()]
        let type = pickType(subscriber.typeWeights)
        var duration: Int64 = 0
        var bytesUp: Int64 = 0
        var bytesDown: Int64 = 0
        switch type {
        case .callOut, .callIn:
            // Calls: median about 90 s, a long tail of long calls, a few seconds at least.
            duration = Int64(min(max(random.logNormal(median: 90, sigma: 1.0), 3), Self.maxCallSeconds))
        case .data:
            duration = Int64(min(max(random.logNormal(median: 300, sigma: 1.2), 1), Self.maxDataSeconds))
            bytesDown = Int64(min(random.pareto(minimum: 20_000, alpha: 1.1), Self.maxBytes))
            bytesUp = Int64(min(random.pareto(minimum: 4_000, alpha: 1.2), Self.maxBytes))
        case .smsSent, .smsReceived:
            break
        }
        // Reported as it starts: ended_at may lie ahead of now, which the API accepts.
        let startedAt = now.addingTimeInterval(-random.unit() * startSpread)
        // Mostly the home cell, sometimes another one nearby.
        let cell = random.unit() < 0.8 ? subscriber.homeCell : "\(subscriber.homeCell.prefix(1))\(1 + random.next() % 99)"
        return GeneratedEvent(
            eventID: random.uuid().uuidString.lowercased(), quotedSource: quotedSourceID, userID: subscriber.userID,
            quotedUser: subscriber.quotedUserID, type: type, startedAt: startedAt, durationSeconds: duration, bytesUp: bytesUp,
            bytesDown: bytesDown, cell: cell)
    }

    mutating func pickSubscriber() -> Int {
        let target = random.unit() * activity[activity.count - 1]
        var low = 0
        var high = activity.count - 1
        while low < high {
            let middle = (low + high) / 2
            if activity[middle] > target { high = middle } else { low = middle + 1 }
        }
        return low
    }

    mutating func pickType(_ weights: [Double]) -> LoadEventType {
        var target = random.unit() * weights.reduce(0, +)
        for (type, weight) in zip(LoadEventType.allCases, weights) {
            if target < weight { return type }
            target -= weight
        }
        return .data
    }
}
