import Foundation

/// One subscriber event as taken by `POST /api/v1/events`: checked, with the instant the API took it. Times
/// are kept to the microsecond, as PostgreSQL stores them.
public struct ActivityEvent: Sendable, Equatable {
    /// What makes an event the same one when a provider sends it again. Compared by bytes, as PostgreSQL
    /// compares the keys: Swift's `String` equality would take "é" and "e\u{301}" for one id, so two events
    /// would count once in one batch and twice in two.
    public struct Key: Sendable, Hashable {
        public var sourceID: String
        public var eventID: String

        public init(sourceID: String, eventID: String) {
            self.sourceID = sourceID
            self.eventID = eventID
        }

        public static func == (lhs: Key, rhs: Key) -> Bool {
            lhs.sourceID.utf8.elementsEqual(rhs.sourceID.utf8) && lhs.eventID.utf8.elementsEqual(rhs.eventID.utf8)
        }

        public func hash(into hasher: inout Hasher) {
            for byte in sourceID.utf8 { hasher.combine(byte) }
            hasher.combine(0xFF as UInt8)  // no UTF-8 byte: the two ids' bytes cannot run into each other
            for byte in eventID.utf8 { hasher.combine(byte) }
        }
    }

    public var sourceID: String
    public var eventID: String
    public var userID: String
    public var type: ActivityEventType
    public var startedAt: Date
    public var endedAt: Date?
    public var durationSeconds: Int64
    public var bytesUp: Int64
    public var bytesDown: Int64
    /// The event's `meta` object as JSON text, nil when it had none.
    public var meta: String?
    public var receivedAt: Date

    public init(
        sourceID: String, eventID: String, userID: String, type: ActivityEventType, startedAt: Date, endedAt: Date? = nil,
        durationSeconds: Int64 = 0, bytesUp: Int64 = 0, bytesDown: Int64 = 0, meta: String? = nil, receivedAt: Date
    ) {
        self.sourceID = sourceID
        self.eventID = eventID
        self.userID = userID
        self.type = type
        self.startedAt = Microseconds.rounded(startedAt)
        self.endedAt = endedAt.map(Microseconds.rounded)
        self.durationSeconds = durationSeconds
        self.bytesUp = bytesUp
        self.bytesDown = bytesDown
        self.meta = meta
        self.receivedAt = Microseconds.rounded(receivedAt)
    }

    public var key: Key { Key(sourceID: sourceID, eventID: eventID) }
}

/// Instants as whole microseconds since 1970, PostgreSQL's resolution: what goes on the stream and into the
/// database reads back equal.
public enum Microseconds {
    public static func of(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    public static func date(_ microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }

    public static func rounded(_ date: Date) -> Date {
        self.date(of(date))
    }
}
