import Foundation

/// One queue as `GET /queues/status` shows it: its agents by state, its waiting callers, and today's counts.
public struct QueueStatus: Sendable, Equatable, Codable {
    public var queue: String
    public var agents: AgentCounts
    public var calls: WaitingCounts
    public var today: TodayCounts

    public init(queue: String, agents: AgentCounts, calls: WaitingCounts, today: TodayCounts) {
        self.queue = queue
        self.agents = agents
        self.calls = calls
        self.today = today
    }

    /// `paused`: logged in and paused in this queue; `onCall`: not paused in it and on a call from any queue;
    /// `available`: the rest of `loggedIn`.
    public struct AgentCounts: Sendable, Equatable, Codable {
        public var loggedIn = 0
        public var available = 0
        public var paused = 0
        public var onCall = 0

        public init(loggedIn: Int = 0, available: Int = 0, paused: Int = 0, onCall: Int = 0) {
            self.loggedIn = loggedIn
            self.available = available
            self.paused = paused
            self.onCall = onCall
        }
    }

    public struct WaitingCounts: Sendable, Equatable, Codable {
        public var waiting = 0
        /// Whole seconds since the oldest waiting caller entered the queue; nil when nobody waits.
        public var longestWaitSeconds: Int?

        public init(waiting: Int = 0, longestWaitSeconds: Int? = nil) {
            self.waiting = waiting
            self.longestWaitSeconds = longestWaitSeconds
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(waiting, forKey: .waiting)
            try container.encode(longestWaitSeconds, forKey: .longestWaitSeconds)
        }

        /// Whole seconds from `entered` to `now`, never negative (a PBX clock a little ahead).
        public static func wait(from entered: Date, to now: Date) -> Int {
            max(0, Int(now.timeIntervalSince(entered).rounded(.down)))
        }
    }

    /// Counts of the events of the current day (in the panel's time zone) by their own time.
    public struct TodayCounts: Sendable, Equatable, Codable {
        public var offered = 0
        public var answered = 0
        public var abandoned = 0
        public var timedOut = 0
        public var answeredWithinSl = 0
        /// answered within the service level / (answered + abandoned + timed out); nil before any of them.
        public var serviceLevel: Double?
        public var avgHoldSeconds: Double?
        public var avgTalkSeconds: Double?

        public init(_ counters: PanelState.DayCounters) {
            offered = counters.offered
            answered = counters.answered
            abandoned = counters.abandoned
            timedOut = counters.timedOut
            answeredWithinSl = counters.answeredWithinServiceLevel
            let ended = counters.answered + counters.abandoned + counters.timedOut
            serviceLevel = ended > 0 ? Double(counters.answeredWithinServiceLevel) / Double(ended) : nil
            avgHoldSeconds = counters.holdCount > 0 ? Double(counters.holdSecondsTotal) / Double(counters.holdCount) : nil
            avgTalkSeconds = counters.talkCount > 0 ? Double(counters.talkSecondsTotal) / Double(counters.talkCount) : nil
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(offered, forKey: .offered)
            try container.encode(answered, forKey: .answered)
            try container.encode(abandoned, forKey: .abandoned)
            try container.encode(timedOut, forKey: .timedOut)
            try container.encode(answeredWithinSl, forKey: .answeredWithinSl)
            try container.encode(serviceLevel, forKey: .serviceLevel)
            try container.encode(avgHoldSeconds, forKey: .avgHoldSeconds)
            try container.encode(avgTalkSeconds, forKey: .avgTalkSeconds)
        }
    }
}

extension PanelState {
    /// Every queue with a member, a waiting caller or counts today, by name: the definition the stores'
    /// faster queries must agree with.
    public func queueStatuses(now: Date, today: PanelDay) -> [QueueStatus] {
        var agents: [String: QueueStatus.AgentCounts] = [:]
        for (key, member) in members {
            var counts = agents[key.queue, default: .init()]
            counts.loggedIn += 1
            if member.paused {
                counts.paused += 1
            } else if agentCalls[AgentKey(source: key.source, agent: key.agent)] != nil {
                counts.onCall += 1
            } else {
                counts.available += 1
            }
            agents[key.queue] = counts
        }
        var waitingCounts: [String: (count: Int, oldest: Date)] = [:]
        for caller in waiting.values {
            let current = waitingCounts[caller.queue]
            waitingCounts[caller.queue] = ((current?.count ?? 0) + 1, min(current?.oldest ?? caller.enteredAt, caller.enteredAt))
        }
        var todayCounters: [String: DayCounters] = [:]
        for (key, value) in counters where key.day == today { todayCounters[key.queue] = value }
        let names = Set(agents.keys).union(waitingCounts.keys).union(todayCounters.keys)
        return names.sorted().map { queue in
            let waiting = waitingCounts[queue]
            return QueueStatus(
                queue: queue, agents: agents[queue] ?? .init(),
                calls: .init(
                    waiting: waiting?.count ?? 0,
                    longestWaitSeconds: waiting.map { QueueStatus.WaitingCounts.wait(from: $0.oldest, to: now) }),
                today: .init(todayCounters[queue] ?? DayCounters()))
        }
    }
}
