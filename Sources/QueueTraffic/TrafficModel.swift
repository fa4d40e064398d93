/// The simulated call centre. These records are the truth: the generator writes lines describing what
/// happens to them, and never reads its own lines back.
struct QueueModel {
    var source: Int
    var name: String
    var meanSecondsBetweenCalls: Double
    /// Agents who are members (logged in to this queue), in no particular order.
    var members: [Int] = []
    /// Caller slots waiting (ringing an agent or not), in queue order: index + 1 is the position.
    var waiting: [Int] = []
}

struct AgentModel {
    var source: Int
    var name: String
    /// The phone (AGENTLOGIN's data1).
    var channel: String
    var logsInAsAgent: Bool
    var eligibleQueues: [Int]
    var memberships: [Membership] = []
    var call: CurrentCall?
    /// The caller slot ringing this agent's phone.
    var ringing: Int?
    /// Wrap-up or the pause Asterisk takes after an unanswered ring: not rung before this simulated time.
    var readyAt = 0.0
    var loggedInAtEpoch = 0

    struct Membership {
        var queue: Int
        var paused = false
        var pauseReason: String?
        /// When the membership's status (available, paused, on call) last changed, as epoch seconds.
        var since: Int
    }

    struct CurrentCall {
        var caller: Int
        var callID: String
        var queue: Int
        var sinceEpoch: Int
    }

    var isIdle: Bool { call == nil && ringing == nil }

    func membershipIndex(of queue: Int) -> Int? {
        memberships.firstIndex { $0.queue == queue }
    }

    func status(of membership: Membership) -> MemberStatus {
        if membership.paused { return .paused }
        return call == nil ? .available : .onCall
    }
}

/// A member's state by the definitions: paused in this queue; else on a call from any queue; else
/// available (ringing and wrap-up included: the queue_log does not show them).
public enum MemberStatus: String, Sendable, Codable, Equatable {
    case available
    case paused
    case onCall = "on_call"
}

struct CallerModel {
    var version: UInt32 = 0
    var state = State.free
    var queue = 0
    var callID = ""
    var callerID = ""
    var enteredSecond = 0
    var enteredEpoch = 0
    var enteredPosition = 0
    var agent = 0
    var answers = false
    var connectedSecond = 0

    enum State { case free, waiting, ringing, connected }
}
