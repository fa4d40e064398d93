import Foundation

/// What the traffic so far has made of the call centre, at `now`: the expected `/queues/status` queues,
/// every agent's memberships and current call, every waiting caller, and every day's counters.
public struct TrafficTruth: Sendable, Equatable, Codable {
    public var now: Date
    /// `now`'s day in the configured time zone: the day `queues[].today` counts.
    public var today: String
    /// Every configured queue, by name; a queue served by several PBXs adds them up.
    public var queues: [ExpectedQueueStatus]
    /// Agents who are members of a queue or on a call, by source and name.
    public var agents: [AgentTruth]
    /// By source, queue and position.
    public var waitingCallers: [WaitingCallerTruth]
    /// Every queue's counters for every day that had traffic, by queue and day.
    public var tallies: [DayTally]

    public struct DayTally: Sendable, Equatable, Codable {
        public var queue: String
        public var day: String
        public var tally: QueueDayTally

        public init(queue: String, day: String, tally: QueueDayTally) {
            self.queue = queue
            self.day = day
            self.tally = tally
        }
    }

    enum CodingKeys: String, CodingKey {
        case now, today, queues, agents
        case waitingCallers = "waiting_callers"
        case tallies
    }
}

public struct AgentTruth: Sendable, Equatable, Codable {
    public var source: String
    public var agent: String
    /// By queue name.
    public var memberships: [Membership]
    public var call: Call?

    public init(source: String, agent: String, memberships: [Membership], call: Call?) {
        self.source = source
        self.agent = agent
        self.memberships = memberships
        self.call = call
    }

    public struct Membership: Sendable, Equatable, Codable {
        public var queue: String
        public var status: MemberStatus
        /// When this status began: joining the queue, pausing or unpausing in it, a call's start or end.
        public var since: Date
        /// Only while paused, and nil for a pause without a reason.
        public var pauseReason: String?

        public init(queue: String, status: MemberStatus, since: Date, pauseReason: String?) {
            self.queue = queue
            self.status = status
            self.since = since
            self.pauseReason = pauseReason
        }

        enum CodingKeys: String, CodingKey {
            case queue, status, since
            case pauseReason = "pause_reason"
        }
    }

    public struct Call: Sendable, Equatable, Codable {
        public var callID: String
        public var queue: String
        /// The CONNECT.
        public var since: Date

        public init(callID: String, queue: String, since: Date) {
            self.callID = callID
            self.queue = queue
            self.since = since
        }

        enum CodingKeys: String, CodingKey {
            case callID = "call_id"
            case queue, since
        }
    }
}

public struct WaitingCallerTruth: Sendable, Equatable, Codable {
    public var source: String
    public var callID: String
    public var queue: String
    /// Nil when the caller id was withheld.
    public var callerID: String?
    /// Where the caller is now (callers ahead of it have left since it entered).
    public var position: Int
    /// ENTERQUEUE's position (data3).
    public var enteredPosition: Int
    public var enteredAt: Date
    public var waitSeconds: Int

    public init(
        source: String, callID: String, queue: String, callerID: String?, position: Int, enteredPosition: Int,
        enteredAt: Date, waitSeconds: Int
    ) {
        self.source = source
        self.callID = callID
        self.queue = queue
        self.callerID = callerID
        self.position = position
        self.enteredPosition = enteredPosition
        self.enteredAt = enteredAt
        self.waitSeconds = waitSeconds
    }

    enum CodingKeys: String, CodingKey {
        case source
        case callID = "call_id"
        case queue
        case callerID = "caller_id"
        case position
        case enteredPosition = "entered_position"
        case enteredAt = "entered_at"
        case waitSeconds = "wait_seconds"
    }
}

extension TrafficGenerator {
    /// The truth after every line made so far (buffered ones included). `now` defaults to the newest line's
    /// time; waits are counted to it.
    public func truth(now: Date? = nil) -> TrafficTruth {
        let now = now ?? Date(timeIntervalSince1970: Double(lastEpoch))
        var clock = DayClock(timeZone: configuration.timeZone)
        let today = clock.day(of: Int(now.timeIntervalSince1970.rounded(.down)))
        let names = Array(Set(queues.map(\.name))).sorted()
        var statuses = Dictionary(
            uniqueKeysWithValues: names.map {
                (
                    $0,
                    ExpectedQueueStatus(
                        queue: $0, agents: .init(), calls: .init(), today: .init(tallies[TallyKey(queue: $0, day: today)] ?? .init()))
                )
            })

        var agentTruths: [AgentTruth] = []
        for model in agents where !model.memberships.isEmpty || model.call != nil {
            var memberships: [AgentTruth.Membership] = []
            for membership in model.memberships {
                let status = model.status(of: membership)
                statuses[queues[membership.queue].name]?.agents.add(status)
                memberships.append(
                    .init(
                        queue: queues[membership.queue].name, status: status, since: Self.date(membership.since),
                        pauseReason: membership.pauseReason))
            }
            let call = model.call.map {
                AgentTruth.Call(callID: $0.callID, queue: queues[$0.queue].name, since: Self.date($0.sinceEpoch))
            }
            agentTruths.append(
                AgentTruth(
                    source: configuration.sources[model.source], agent: model.name,
                    memberships: memberships.sorted { $0.queue < $1.queue }, call: call))
        }
        agentTruths.sort { ($0.source, $0.agent) < ($1.source, $1.agent) }

        var waiting: [WaitingCallerTruth] = []
        for queue in queues {
            for (index, slot) in queue.waiting.enumerated() {
                let caller = callers[slot]
                let wait = Self.wholeSeconds(from: caller.enteredEpoch, to: now)
                waiting.append(
                    WaitingCallerTruth(
                        source: configuration.sources[queue.source], callID: caller.callID, queue: queue.name,
                        callerID: caller.callerID.isEmpty ? nil : caller.callerID, position: index + 1,
                        enteredPosition: caller.enteredPosition, enteredAt: Self.date(caller.enteredEpoch), waitSeconds: wait))
                statuses[queue.name]?.calls.waiting += 1
                let longest = statuses[queue.name]?.calls.longestWaitSeconds ?? wait
                statuses[queue.name]?.calls.longestWaitSeconds = Swift.max(longest, wait)
            }
        }
        waiting.sort { ($0.source, $0.queue, $0.position) < ($1.source, $1.queue, $1.position) }

        let days = tallies.map { TrafficTruth.DayTally(queue: $0.key.queue, day: $0.key.day, tally: $0.value) }
            .sorted { ($0.queue, $0.day) < ($1.queue, $1.day) }
        return TrafficTruth(
            now: now, today: today, queues: names.compactMap { statuses[$0] }, agents: agentTruths,
            waitingCallers: waiting, tallies: days)
    }

    /// Callers waiting now, over all queues and sources.
    public var waitingCount: Int { queues.reduce(0) { $0 + $1.waiting.count } }

    /// Memberships (agent logged in to a queue) now.
    public var membershipCount: Int { agents.reduce(0) { $0 + $1.memberships.count } }

    static func date(_ epoch: Int) -> Date { Date(timeIntervalSince1970: Double(epoch)) }

    static func wholeSeconds(from epoch: Int, to now: Date) -> Int {
        Swift.max(0, Int((now.timeIntervalSince1970 - Double(epoch)).rounded(.down)))
    }
}
