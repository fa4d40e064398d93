/// What became of one delivery of a job, of any kind.
public enum JobOutcome: Sendable, Equatable {
    /// The work's product is committed (an analysis: the call is `ready`).
    case completed
    /// The input could not be worked this time (a recording that did not decode, a receiver that did not
    /// answer); the job goes to the delayed set for another attempt.
    case retry(String, attempt: Int)
    /// The input could not be worked and no attempt is left; the work is given up with the reason (an
    /// analysis: the call is `failed`; an archive or a callback: only its own status).
    case failed(String)
    /// A duplicate delivery of finished work, or a job whose call no longer exists.
    case skipped(String)
    /// Another worker's lease on the work is still running: this delivery is a duplicate, but the job is not
    /// finished, so its delivery count is kept for whoever runs it next (a job that kills every worker that
    /// claims it must still reach `CALLS_MAX_DELIVERIES`); the duplicate itself is not counted, since it never
    /// ran the job.
    case heldByAnother
    /// Another worker claimed the work after this one; its commit was refused, nothing was written.
    case fenced
}
