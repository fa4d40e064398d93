/// The four collections every source serves; a fetcher pulls one of them from one source.
public enum SourceCollection: String, Sendable, CaseIterable, Hashable, Codable {
    case calls
    case connections
    case callEvents = "call_events"
    case operators

    /// The key of an item's id, by which the collection is sorted and paged.
    public var idKey: String {
        switch self {
        case .calls: "call_id"
        case .connections: "connection_id"
        case .callEvents: "event_id"
        case .operators: "operator_id"
        }
    }
}
