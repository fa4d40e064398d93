/// Which subscribers a verifier looks after.
enum PollGroup: Sendable, Equatable {
    /// The latency sample, polled every --poll-interval throughout: the latencies come from these finds only.
    case latencyProbe
    /// Every other subscriber, in rounds (a round over a thousand busy subscribers takes seconds): its finds
    /// count as verified, never as latency.
    case sweep
}
