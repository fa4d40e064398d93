import Activity
import CallsStore
import EventBus

/// Keys of cached aggregate answers. A user's answers carry the hash tag of the stream partition the user's
/// events go to (`ActivityStreamKeys.stream`), so on a Redis Cluster they spread over the nodes as the
/// streams do; the global answers have a tag of their own. Every query parameter is in the key, the user id
/// last, so no two queries share one whatever the id holds; `v1` names the answer's format.
struct ActivityCacheKeys: Sendable {
    let streams: ActivityStreamKeys
    let partitioner: ActivityPartitioner

    init(namespace: String, partitions: Int) {
        streams = ActivityStreamKeys(namespace: namespace, partitions: partitions)
        partitioner = ActivityPartitioner(partitions: partitions)
    }

    func key(_ query: ActivityAggregateQuery) -> String {
        let parameters = "\(query.period.rawValue):\(query.from.text):\(query.to.text):\(query.type?.rawValue ?? "*")"
        guard let userID = query.userID else { return "{\(streams.namespace):activity:global}:aggregates:v1:\(parameters)" }
        return "\(tag(ofPartition: partitioner.partition(ofUser: userID))):aggregates:v1:\(parameters):\(userID)"
    }

    /// `{<namespace>:activity:<i>}`, exactly as the partition's stream key starts.
    func tag(ofPartition index: Int) -> Substring {
        let stream = streams.stream(index)
        return stream[...stream.firstIndex(of: "}")!]
    }
}
