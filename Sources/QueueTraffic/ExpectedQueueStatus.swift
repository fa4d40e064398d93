/// One element of `GET /queues/status`'s `queues` array, with the names, so a test can compare the
/// API's JSON with the truth's. Absent values encode as `null`, as the API writes them.
public struct ExpectedQueueStatus: Sendable, Equatable, Codable {
    public var queue: String
    public var agents: Agents
    public var calls: Calls
    public var today: Today

    public init(queue: String, agents: Agents, calls: Calls, today: Today) {
        self.queue = queue
        self.agents = agents
        self.calls = calls
        self.today = today
    }

    public struct Agents: Sendable, Equatable, Codable {
        public var loggedIn: Int
        public var available: Int
        public var paused: Int
        public var onCall: Int

        public init(loggedIn: Int = 0, available: Int = 0, paused: Int = 0, onCall: Int = 0) {
            self.loggedIn = loggedIn
            self.available = available
            self.paused = paused
            self.onCall = onCall
        }

        public mutating func add(_ status: MemberStatus) {
            loggedIn += 1
            switch status {
            case .available: available += 1
            case .paused: paused += 1
            case .onCall: onCall += 1
            }
        }

        enum CodingKeys: String, CodingKey {
            case loggedIn = "logged_in"
            case available, paused
            case onCall = "on_call"
        }
    }

    public struct Calls: Sendable, Equatable, Codable {
        public var waiting: Int
        /// Whole seconds from the oldest waiting caller's ENTERQUEUE to `now`; nil when nobody waits.
        public var longestWaitSeconds: Int?

        public init(waiting: Int = 0, longestWaitSeconds: Int? = nil) {
            self.waiting = waiting
            self.longestWaitSeconds = longestWaitSeconds
        }

        enum CodingKeys: String, CodingKey {
            case waiting
            case longestWaitSeconds = "longest_wait_seconds"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(waiting, forKey: .waiting)
            try container.encode(longestWaitSeconds, forKey: .longestWaitSeconds)
        }
    }

    /// The day's counters. The ratios are exact quotients (nil when their denominator is 0); the API may
    /// round them, the counts it must match exactly.
    public struct Today: Sendable, Equatable, Codable {
        public var offered: Int
        public var answered: Int
        public var abandoned: Int
        public var timedOut: Int
        public var answeredWithinServiceLevel: Int
        /// answered_within_sl / (answered + abandoned + timed_out).
        public var serviceLevel: Double?
        public var avgHoldSeconds: Double?
        public var avgTalkSeconds: Double?

        public init(_ tally: QueueDayTally) {
            offered = tally.offered
            answered = tally.answered
            abandoned = tally.abandoned
            timedOut = tally.timedOut
            answeredWithinServiceLevel = tally.answeredWithinServiceLevel
            let ended = tally.answered + tally.abandoned + tally.timedOut
            serviceLevel = ended > 0 ? Double(tally.answeredWithinServiceLevel) / Double(ended) : nil
            avgHoldSeconds = tally.holdCount > 0 ? Double(tally.holdSecondsTotal) / Double(tally.holdCount) : nil
            avgTalkSeconds = tally.talkCount > 0 ? Double(tally.talkSecondsTotal) / Double(tally.talkCount) : nil
        }

        enum CodingKeys: String, CodingKey {
            case offered, answered, abandoned
            case timedOut = "timed_out"
            case answeredWithinServiceLevel = "answered_within_sl"
            case serviceLevel = "service_level"
            case avgHoldSeconds = "avg_hold_seconds"
            case avgTalkSeconds = "avg_talk_seconds"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(offered, forKey: .offered)
            try container.encode(answered, forKey: .answered)
            try container.encode(abandoned, forKey: .abandoned)
            try container.encode(timedOut, forKey: .timedOut)
            try container.encode(answeredWithinServiceLevel, forKey: .answeredWithinServiceLevel)
            try container.encode(serviceLevel, forKey: .serviceLevel)
            try container.encode(avgHoldSeconds, forKey: .avgHoldSeconds)
            try container.encode(avgTalkSeconds, forKey: .avgTalkSeconds)
        }
    }
}
