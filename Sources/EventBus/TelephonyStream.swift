/// Redis keys of the telephony events. The stream and what belongs to it share a hash tag of their own, so on
/// a Redis Cluster the stream lives on one node and the job queue's keys may live on another.
public struct TelephonyStreamKeys: Sendable {
    public let namespace: String

    public init(namespace: String) {
        self.namespace = namespace
    }

    /// Every event received by `POST /events`, in arrival order.
    public var stream: String { "{\(namespace):telephony}:events" }

    /// The consumer group that applies the stream to the queue panel.
    public static let panelGroup = "panel"

    /// Held by the one worker that applies the stream to the queue panel.
    public var panelLease: String { "{\(namespace):telephony}:lease:panel" }
}
