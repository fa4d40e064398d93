/// How one pair's delivery ended in this run.
public enum PairOutcome: Sendable, Equatable {
    /// The call and its recording are in the service; the files went to the done directory (or were deleted).
    case delivered(callID: String)
    /// Refused for good; the files went to the failed directory with the reason.
    case failed(reason: String)
    /// With `--once`, still failing after the allowed attempts; left in place for the next run.
    case gaveUp(reason: String)
}
