import Foundation

/// What the CDR builder does with a call whose inputs changed.
public enum CdrDecision: Sendable, Equatable {
    /// Write this CDR (`complete` says whether every input was in). Its `id`, `version` and, for queue calls,
    /// `callID` are placeholders the store fills in.
    case build(CallDetailRecord)
    /// Finished, or ended without a finishing event, but inputs are missing: look again at this time, when the
    /// grace period is over (a change to the call's inputs makes it due earlier).
    case waitUntil(Date)
    /// Not finished: no CDR yet. The change that finishes it queues it again.
    case notFinished
}

/// How long a finished call waits for inputs that are missing, counted from when it was first queued.
public struct CdrGrace: Sendable, Equatable {
    /// `cdr_pending.first_seen_at`.
    public var firstSeenAt: Date
    /// `CALLS_CDR_GRACE_SECONDS`.
    public var seconds: Int
    /// The database's clock, so that every node judges by the same one.
    public var now: Date

    public init(firstSeenAt: Date, seconds: Int, now: Date) {
        self.firstSeenAt = firstSeenAt
        self.seconds = seconds
        self.now = now
    }

    public var endsAt: Date { firstSeenAt.addingTimeInterval(Double(seconds)) }

    public var isOver: Bool { now >= endsAt }

    /// Build when every input is in; else wait out the grace period, then build with what is known.
    func decide(ready: Bool, build: (_ complete: Bool) -> CallDetailRecord) -> CdrDecision {
        if ready { return .build(build(true)) }
        return isOver ? .build(build(false)) : .waitUntil(endsAt)
    }
}
