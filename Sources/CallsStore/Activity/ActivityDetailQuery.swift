import Activity
import Foundation

/// One page of a user's events, newest first: by `started_at`, then `source_id` and `event_id` ascending
/// (the order of the `activity_events_detail` index read forwards).
public struct ActivityDetailQuery: Sendable, Equatable {
    public var userID: String
    /// Events starting at or after this instant.
    public var from: Date?
    /// Events starting before this instant.
    public var to: Date?
    /// Nil: every type.
    public var type: ActivityEventType?
    /// The page starts after this position.
    public var after: ActivityCursor?
    public var limit: Int

    public init(
        userID: String, from: Date? = nil, to: Date? = nil, type: ActivityEventType? = nil, after: ActivityCursor? = nil,
        limit: Int
    ) {
        self.userID = userID
        self.from = from
        self.to = to
        self.type = type
        self.after = after
        self.limit = limit
    }
}

public struct ActivityDetailPage: Sendable, Equatable {
    public var items: [ActivityEvent]
    /// Nil on the last page.
    public var nextCursor: ActivityCursor?

    public init(items: [ActivityEvent], nextCursor: ActivityCursor?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

extension ActivityEvent {
    /// Whether `self` comes before `other` in a detail listing: newer first, then by source and event id in
    /// byte order (PostgreSQL's C collation).
    public func precedesInDetail(_ other: ActivityEvent) -> Bool {
        let (mine, theirs) = (Microseconds.of(startedAt), Microseconds.of(other.startedAt))
        if mine != theirs { return mine > theirs }
        if sourceID != other.sourceID { return sourceID.utf8.lexicographicallyPrecedes(other.sourceID.utf8) }
        return eventID.utf8.lexicographicallyPrecedes(other.eventID.utf8)
    }
}
