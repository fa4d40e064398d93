import Foundation

/// `GET /queues/status`: every queue, and how fresh the data behind it is.
public struct PanelStatus: Sendable, Equatable, Codable {
    public var generatedAt: Date
    /// The newest event's own time, of any source; nil before the first.
    public var lastEventAt: Date?
    /// How late the newest applied event was applied (applied at − its own time).
    public var lagSeconds: Double?
    /// How long the oldest event not yet applied has waited on the stream; nil when none waits.
    public var backlogAgeSeconds: Double?
    /// The lag or the backlog's age is over the stale limit (or the backlog could not be read).
    public var stale: Bool
    public var queues: [QueueStatus]

    public init(
        generatedAt: Date, lastEventAt: Date?, lagSeconds: Double?, backlogAgeSeconds: Double?, stale: Bool, queues: [QueueStatus]
    ) {
        self.generatedAt = generatedAt
        self.lastEventAt = lastEventAt
        self.lagSeconds = lagSeconds
        self.backlogAgeSeconds = backlogAgeSeconds
        self.stale = stale
        self.queues = queues
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(generatedAt, forKey: .generatedAt)
        try container.encode(lastEventAt, forKey: .lastEventAt)
        try container.encode(lagSeconds, forKey: .lagSeconds)
        try container.encode(backlogAgeSeconds, forKey: .backlogAgeSeconds)
        try container.encode(stale, forKey: .stale)
        try container.encode(queues, forKey: .queues)
    }
}

/// What the panel's store knows of its own freshness: per source, its newest event and when it was applied.
public struct PanelProgress: Sendable, Equatable {
    public var lastEventAt: Date?
    /// Of the most recently applied batch: applied at − its newest event's time.
    public var lagSeconds: Double?

    public init(lastEventAt: Date? = nil, lagSeconds: Double? = nil) {
        self.lastEventAt = lastEventAt
        self.lagSeconds = lagSeconds
    }
}
