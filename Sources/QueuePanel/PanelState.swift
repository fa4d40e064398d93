import Foundation

/// The live state of a call centre's queues as the queue log describes it: who is a member of which queue
/// and in what state, who waits, which calls are in progress, and each queue's counters for the day. Every
/// key carries the event's source (the PBX): call ids and agent names are only unique within one PBX.
///
/// The consumer loads the part of this state a batch of events touches, applies the batch here, and stores
/// what changed; so these rules are the panel's semantics, tested without a database.
public struct PanelState: Sendable, Equatable {
    public var members: [MemberKey: Member] = [:]
    public var agentCalls: [AgentKey: AgentCall] = [:]
    public var waiting: [CallKey: WaitingCaller] = [:]
    public var calls: [CallKey: CallInProgress] = [:]
    public var counters: [CounterKey: DayCounters] = [:]

    public init() {}

    public struct MemberKey: Sendable, Hashable, Comparable {
        public var source: String
        public var queue: String
        public var agent: String

        public init(source: String, queue: String, agent: String) {
            self.source = source
            self.queue = queue
            self.agent = agent
        }

        public static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.source, lhs.queue, lhs.agent) < (rhs.source, rhs.queue, rhs.agent)
        }
    }

    public struct AgentKey: Sendable, Hashable {
        public var source: String
        public var agent: String

        public init(source: String, agent: String) {
            self.source = source
            self.agent = agent
        }
    }

    public struct CallKey: Sendable, Hashable {
        public var source: String
        public var callID: String

        public init(source: String, callID: String) {
            self.source = source
            self.callID = callID
        }
    }

    /// Counters are kept per queue and per day of the panel's time zone, by each event's own time.
    public struct CounterKey: Sendable, Hashable {
        public var queue: String
        public var day: PanelDay

        public init(queue: String, day: PanelDay) {
            self.queue = queue
            self.day = day
        }
    }

    /// An agent logged in to one queue. `since` is when its current status began.
    public struct Member: Sendable, Equatable {
        public var since: Date
        public var paused: Bool
        public var pauseReason: String?
        public var lastEventAt: Date

        public init(since: Date, paused: Bool = false, pauseReason: String? = nil, lastEventAt: Date) {
            self.since = since
            self.paused = paused
            self.pauseReason = pauseReason
            self.lastEventAt = lastEventAt
        }
    }

    /// The call an agent is on, whichever queue it came from.
    public struct AgentCall: Sendable, Equatable {
        public var callID: String
        public var queue: String
        public var since: Date

        public init(callID: String, queue: String, since: Date) {
            self.callID = callID
            self.queue = queue
            self.since = since
        }
    }

    public struct WaitingCaller: Sendable, Equatable {
        public var queue: String
        public var callerID: String?
        public var position: Int?
        public var enteredAt: Date
        public var lastEventAt: Date

        public init(queue: String, callerID: String?, position: Int?, enteredAt: Date, lastEventAt: Date) {
            self.queue = queue
            self.callerID = callerID
            self.position = position
            self.enteredAt = enteredAt
            self.lastEventAt = lastEventAt
        }
    }

    public struct CallInProgress: Sendable, Equatable {
        public var queue: String
        public var agent: String
        public var connectedAt: Date
        public var holdSeconds: Int?
        public var lastEventAt: Date

        public init(queue: String, agent: String, connectedAt: Date, holdSeconds: Int?, lastEventAt: Date) {
            self.queue = queue
            self.agent = agent
            self.connectedAt = connectedAt
            self.holdSeconds = holdSeconds
            self.lastEventAt = lastEventAt
        }
    }

    public struct DayCounters: Sendable, Equatable {
        public var offered = 0
        public var answered = 0
        public var abandoned = 0
        public var timedOut = 0
        public var answeredWithinServiceLevel = 0
        public var holdSecondsTotal = 0
        public var holdCount = 0
        public var talkSecondsTotal = 0
        public var talkCount = 0

        public init() {}
    }
}
