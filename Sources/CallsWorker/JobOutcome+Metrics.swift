import Metrics

extension JobOutcome {
    /// The `outcome` label of `calls_jobs_total`.
    var metricName: String {
        switch self {
        case .completed: "completed"
        case .retry: "retried"
        case .failed: "failed"
        case .skipped, .heldByAnother: "duplicate"
        case .fenced: "fenced"
        }
    }
}

extension Metrics.Timer {
    func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
