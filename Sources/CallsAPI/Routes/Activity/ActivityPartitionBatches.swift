import Activity

/// A batch's events split by the partition their user hashes to, each group in the body's order: one user's
/// events reach their stream in the order they were sent.
struct ActivityPartitionBatches: Equatable {
    /// Only the partitions that received events, by index.
    let batches: [Int: [ActivityEvent]]

    init(_ events: [ActivityEvent], partitioner: ActivityPartitioner) {
        var batches: [Int: [ActivityEvent]] = [:]
        for event in events { batches[partitioner.partition(ofUser: event.userID), default: []].append(event) }
        self.batches = batches
    }
}
