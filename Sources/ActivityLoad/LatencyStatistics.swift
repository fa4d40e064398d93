/// Mean and percentiles of a set of latencies (seconds).
public struct LatencyStatistics: Sendable, Equatable {
    public var count: Int
    public var mean: Double?
    public var p50: Double?
    public var p99: Double?

    public init(_ values: [Double]) {
        count = values.count
        guard !values.isEmpty else { return }
        let sorted = values.sorted()
        mean = sorted.reduce(0, +) / Double(sorted.count)
        p50 = Self.percentile(sorted, 0.50)
        p99 = Self.percentile(sorted, 0.99)
    }

    /// Nearest rank: the smallest value at least `fraction` of the values are at or below.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
