import Activity
import Logging
import PostgresNIO

/// Which subscriber events the ingest consumer has already stored, by their keys: what lets
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

    /// Of `keys`, those in `activity_ingested_keys`: one query, the keys sent as two arrays side by side.
    public func ingested(_ keys: [ActivityEvent.Key]) async throws -> Set<ActivityEvent.Key> {
        guard !keys.isEmpty else { return [] }
        let rows = try await client.query(
            """
            SELECT source_id, event_id FROM activity_ingested_keys
            JOIN unnest(\(keys.map(\.sourceID)), \(keys.map(\.eventID))) AS sent(s, e) ON source_id = s AND event_id = e
            """, logger: logger)
        var stored = Set<ActivityEvent.Key>()
        for try await (source, event) in rows.decode((String, String).self) {
            stored.insert(ActivityEvent.Key(sourceID: source, eventID: event))
        }
        return stored
    }
}
