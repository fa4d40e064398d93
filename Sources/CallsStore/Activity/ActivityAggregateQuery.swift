import Activity

/// The aggregates of one user, or of everyone, over whole days or months.
public struct ActivityAggregateQuery: Sendable, Hashable {
    public enum Period: String, Sendable, Hashable, CaseIterable {
        case day, month
    }

    public var period: Period
    /// The first day or month, inclusive (for months: the month's first day).
    public var from: ActivityDay
    /// The last day or month, inclusive (for months: the month's first day).
    public var to: ActivityDay
    /// Nil: every type.
    public var type: ActivityEventType?
    /// Nil: the totals over all users.
    public var userID: String?

    public init(period: Period, from: ActivityDay, to: ActivityDay, type: ActivityEventType? = nil, userID: String? = nil) {
        self.period = period
        self.from = from
        self.to = to
        self.type = type
        self.userID = userID
    }
}

/// One period and type: what a user (or everyone, `userID` nil) did in it.
public struct ActivityAggregate: Sendable, Equatable {
    public var periodStart: ActivityDay
    public var type: ActivityEventType
    public var userID: String?
    public var count: Int64
    public var durationSeconds: Int64
    public var bytesUp: Int64
    public var bytesDown: Int64

    public init(
        periodStart: ActivityDay, type: ActivityEventType, userID: String?, count: Int64, durationSeconds: Int64, bytesUp: Int64,
        bytesDown: Int64
    ) {
        self.periodStart = periodStart
        self.type = type
        self.userID = userID
        self.count = count
        self.durationSeconds = durationSeconds
        self.bytesUp = bytesUp
        self.bytesDown = bytesDown
    }
}
