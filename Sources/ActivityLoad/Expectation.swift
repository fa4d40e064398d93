import Foundation

/// What the server must hold after the run: every unique event acknowledged with a 202 (a duplicate counts
/// once, whichever copy was acknowledged first), still to be found or found, and the day and month aggregates
/// they add up to, per subscriber and globally.
public struct Expectation: Sendable {
    public struct Pending: Sendable {
        public var event: GeneratedEvent
        /// When the 202 of its batch arrived (the load clock's seconds).
        public var acknowledgedAt: Double
    }

    public let bucketing: DayBucketing
    /// Per subscriber, day and month rows.
    public private(set) var aggregates: [AggregateKey: AggregateTotals] = [:]
    /// What this run adds to the global rows (no subscriber), day and month.
    public private(set) var globalAggregates: [AggregateKey: AggregateTotals] = [:]
    /// Per subscriber, the events not yet seen in the database, by event id.
    public private(set) var pending: [String: [String: Pending]] = [:]
    public private(set) var uniqueCount = 0
    public private(set) var duplicateCount = 0
    public private(set) var verifiedCount = 0
    private var acknowledged: Set<String> = []

    public init(bucketing: DayBucketing) {
        self.bucketing = bucketing
    }

    /// Takes the events of a 202 (the ones not rejected).
    public mutating func acknowledge(_ events: [GeneratedEvent], at time: Double) {
        for event in events {
            guard acknowledged.insert(event.eventID).inserted else {
                duplicateCount += 1
                continue
            }
            uniqueCount += 1
            pending[event.userID, default: [:]][event.eventID] = Pending(event: event, acknowledgedAt: time)
            let day = bucketing.day(of: event.startedAt)
            for (period, start) in [(AggregatePeriod.day, day), (.month, DayBucketing.month(ofDay: day))] {
                let type = event.type.rawValue
                aggregates[AggregateKey(userID: event.userID, period: period, periodStart: start, type: type), default: .init()].add(event)
                globalAggregates[AggregateKey(userID: nil, period: period, periodStart: start, type: type), default: .init()].add(event)
            }
        }
    }

    /// Marks a pending event found; returns its acknowledgement time, nil when it was not pending.
    public mutating func found(userID: String, eventID: String) -> Double? {
        guard let pendingEvent = pending[userID]?.removeValue(forKey: eventID) else { return nil }
        if pending[userID]?.isEmpty == true { pending[userID] = nil }
        verifiedCount += 1
        return pendingEvent.acknowledgedAt
    }

    public var missingCount: Int { uniqueCount - verifiedCount }
}

extension AggregateTotals {
    mutating func add(_ event: GeneratedEvent) {
        count += 1
        durationSeconds += event.durationSeconds
        bytesUp += event.bytesUp
        bytesDown += event.bytesDown
    }
}
