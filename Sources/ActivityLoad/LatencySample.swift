/// The subscribers whose events the latency is measured on: a fixed few, spread evenly over the user ids, so
/// they can be polled often (the latency's resolution) however many subscribers the run has.
public enum LatencySample {
    /// `count` (at most `users`) of the run's subscriber ids: indexes 0, users/count, 2·users/count, …
    public static func userIDs(source: String, users: Int, count: Int) -> [String] {
        let taken = min(max(count, 0), users)
        return (0..<taken).map { EventGenerator.userID(source: source, index: $0 * users / taken) }
    }
}
