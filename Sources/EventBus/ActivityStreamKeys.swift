/// Redis keys of the subscriber activity streams: K streams, each with a hash tag of its own, so on a Redis
/// Cluster the partitions spread over the nodes instead of sharing one slot. What belongs to a partition (its
/// consumer groups' state) lives in the stream itself.
public struct ActivityStreamKeys: Sendable, Equatable {
    public let namespace: String
    public let partitions: Int

    public init(namespace: String, partitions: Int) {
        self.namespace = namespace
        self.partitions = partitions
    }

    /// The stream of partition `index` (0 ..< partitions).
    public func stream(_ index: Int) -> String {
        "{\(namespace):activity:\(index)}:events"
    }

    public var streams: [String] { (0..<partitions).map(stream) }

    /// The consumer group that stores raw events.
    public static let ingestGroup = "ingest"
    /// The consumer group that adds events to the aggregates.
    public static let aggregateGroup = "aggregate"

}
