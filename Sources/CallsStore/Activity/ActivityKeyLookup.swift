import Activity
import Logging
import PostgresNIO

/// Which subscriber events both consumer groups have already applied, by their keys: what lets
/// `POST /api/v1/events` answer a retried batch with `duplicates` instead of publishing it again.
public struct ActivityKeyLookup: Sendable {
    /// The answer only improves a count (the consumers skip what they stored before anyway), so a slow
    /// database must not hold the ingest up for the full deadline of a query that matters.
    public static let defaultDeadline: Duration = .seconds(2)

    let client: DatabaseClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger, deadline: Duration? = Self.defaultDeadline) {
        self.client = DatabaseClient(client, deadline: deadline)
        self.logger = logger
    }

    /// Of `keys`, those in both `activity_ingested_keys` and `activity_aggregated_keys`: one query, the keys
    /// sent as two arrays side by side. A key only one group holds is not a duplicate yet: the other group may
    /// never have seen its entry (Redis lost it), and a provider's copy is what brings it back.
    public func ingested(_ keys: [ActivityEvent.Key]) async throws -> Set<ActivityEvent.Key> {
        guard !keys.isEmpty else { return [] }
        let rows = try await client.query(
            """
            SELECT i.source_id, i.event_id
            FROM unnest(\(keys.map(\.sourceID)), \(keys.map(\.eventID))) AS sent(s, e)
            JOIN activity_ingested_keys i ON i.source_id = s AND i.event_id = e
            JOIN activity_aggregated_keys a ON a.source_id = s AND a.event_id = e
            """, logger: logger)
        var stored = Set<ActivityEvent.Key>()
        for try await (source, event) in rows.decode((String, String).self) {
            stored.insert(ActivityEvent.Key(sourceID: source, eventID: event))
        }
        return stored
    }
}
