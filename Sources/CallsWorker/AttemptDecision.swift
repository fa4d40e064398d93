import CallsStore

/// What one claimed attempt at a job's work comes to, decided without I/O: the same rules for every job kind.
/// The handler claims, works and records; these say what to record and what the delivery's outcome is.
enum AttemptDecision {
    /// What becomes of a claim whose work failed for a reason about the input (not an outage).
    enum AfterFailure: Equatable {
        /// Given back, for another attempt after a backoff.
        case release
        /// Given up: that was the last attempt.
        case giveUp
    }

    /// Attempt `attempt` (counted from 1) of at most `maxAttempts` failed.
    static func afterFailure(attempt: Int, maxAttempts: Int) -> AfterFailure {
        attempt < maxAttempts ? .release : .giveUp
    }

    /// The outcome once the failure is recorded; `recorded` is false when a newer claim fenced this one off.
    static func outcome(of failure: AfterFailure, reason: String, attempt: Int, recorded: Bool) -> JobOutcome {
        guard recorded else { return .fenced }
        return switch failure {
        case .release: .retry(reason, attempt: attempt)
        case .giveUp: .failed(reason)
        }
    }

    /// The outcome of committing the work's product, and the work the commit made due.
    static func outcome(of commit: WorkCommit) -> (outcome: JobOutcome, followUps: FollowUps) {
        switch commit {
        case .committed(let followUps): (.completed, followUps)
        case .fenced: (.fenced, [])
        case .gone: (.skipped("call deleted meanwhile"), [])
        }
    }

    /// Records a failed attempt as `afterFailure` decides, the same for every kind of leased work.
    static func recordFailure<Leases: WorkLeases>(
        _ reason: String, of claim: Leases.Claim, in leases: Leases, maxAttempts: Int
    ) async throws -> (outcome: JobOutcome, followUps: FollowUps) {
        let failure = afterFailure(attempt: claim.attempt, maxAttempts: maxAttempts)
        let followUps: FollowUps? =
            switch failure {
            case .release: try await leases.release(claim, reason: reason) ? [] : nil
            case .giveUp: try await leases.fail(claim, reason: reason)
            }
        return (outcome(of: failure, reason: reason, attempt: claim.attempt, recorded: followUps != nil), followUps ?? [])
    }
}
