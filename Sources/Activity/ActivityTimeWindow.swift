import Foundation

/// The instants an event may start at: within the months of raw events kept (a month older than that is
/// dropped, so its events would be stored only to vanish, or to fail on a partition being dropped), and not
/// more than `maxLead` ahead of the server's clock (a provider's clock gone wrong would otherwise open
/// partitions for years that never come).
public struct ActivityTimeWindow: Sendable, Equatable {
    public var earliest: Date
    public var latest: Date

    public static let maxLead: TimeInterval = 86_400

    public init(now: Date, retentionMonths: Int) {
        earliest = Self.monthStart(of: now, monthsBack: retentionMonths - 1)
        latest = now.addingTimeInterval(Self.maxLead)
    }

    /// Refuses a start outside the window, with the reason.
    public func refusal(startedAt: Date) -> String? {
        if startedAt < earliest { return "'started_at' is before \(Self.day(earliest)), older than the months of events kept" }
        if startedAt > latest { return "'started_at' is more than \(Int(Self.maxLead / 3600)) hours ahead of the server's clock" }
        return nil
    }

    /// The first instant (UTC) of the month `monthsBack` months before `date`'s.
    public static func monthStart(of date: Date, monthsBack: Int) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let month = calendar.dateComponents([.year, .month], from: date)
        let first = calendar.date(from: month)!
        return calendar.date(byAdding: .month, value: -monthsBack, to: first)!
    }

    static func day(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day())
    }
}
