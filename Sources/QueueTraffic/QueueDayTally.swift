/// One queue's counters for one day, as sums: what `today` is computed from, and what a store keeps.
public struct QueueDayTally: Sendable, Equatable, Codable {
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

    public init(
        offered: Int, answered: Int, abandoned: Int, timedOut: Int, answeredWithinServiceLevel: Int,
        holdSecondsTotal: Int, holdCount: Int, talkSecondsTotal: Int, talkCount: Int
    ) {
        self.offered = offered
        self.answered = answered
        self.abandoned = abandoned
        self.timedOut = timedOut
        self.answeredWithinServiceLevel = answeredWithinServiceLevel
        self.holdSecondsTotal = holdSecondsTotal
        self.holdCount = holdCount
        self.talkSecondsTotal = talkSecondsTotal
        self.talkCount = talkCount
    }

    enum CodingKeys: String, CodingKey {
        case offered, answered, abandoned
        case timedOut = "timed_out"
        case answeredWithinServiceLevel = "answered_within_sl"
        case holdSecondsTotal = "hold_seconds_total"
        case holdCount = "hold_count"
        case talkSecondsTotal = "talk_seconds_total"
        case talkCount = "talk_count"
    }
}
