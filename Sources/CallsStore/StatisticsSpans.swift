import Foundation

/// How a period [from, to) is read: the whole units of the coarsest rollup allowed from that rollup, the
/// whole units of the next finer one around them from it, and so on down to the partial hours at both ends,
/// read from `cdrs` itself by its start_time index. E.g. months, then days, then hours, then raw rows:
/// a year costs a few thousand rollup rows whatever its edges. Spans are half-open, in time order, never
/// empty, and together cover the period exactly once.
public struct StatisticsSpans: Sendable, Equatable {
    public enum Grain: Int, Sendable, Comparable, CaseIterable {
        /// `cdrs` rows.
        case raw, hour, day, month

        public static func < (left: Grain, right: Grain) -> Bool { left.rawValue < right.rawValue }
    }

    public struct Span: Sendable, Equatable {
        public var grain: Grain
        public var from: Date
        public var to: Date

        public init(grain: Grain, from: Date, to: Date) {
            self.grain = grain
            self.from = from
            self.to = to
        }
    }

    public private(set) var spans: [Span] = []

    /// `coarsest`: the coarsest rollup to read (for a series of hours, hours: a daily row cannot be split).
    public init(from: Date, to: Date, coarsest: Grain) {
        split(from: from, to: to, grain: .raw, coarsest: coarsest)
    }

    private mutating func split(from: Date, to: Date, grain: Grain, coarsest: Grain) {
        guard from < to else { return }
        guard grain < coarsest, let coarser = Grain(rawValue: grain.rawValue + 1) else {
            spans.append(Span(grain: grain, from: from, to: to))
            return
        }
        let first = Self.ceil(from, to: coarser)
        let last = Self.floor(to, to: coarser)
        guard first < last else {
            spans.append(Span(grain: grain, from: from, to: to))
            return
        }
        if from < first { spans.append(Span(grain: grain, from: from, to: first)) }
        split(from: first, to: last, grain: coarser, coarsest: coarsest)
        if last < to { spans.append(Span(grain: grain, from: last, to: to)) }
    }

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The start of the UTC hour, day or month `date` falls in.
    public static func floor(_ date: Date, to grain: Grain) -> Date {
        switch grain {
        case .raw: return date
        case .hour: return floor(date, seconds: 3600)
        case .day: return floor(date, seconds: 86_400)
        case .month: return utc.dateInterval(of: .month, for: date)!.start
        }
    }

    static func ceil(_ date: Date, to grain: Grain) -> Date {
        let floored = floor(date, to: grain)
        guard floored != date else { return date }
        switch grain {
        case .month: return utc.date(byAdding: .month, value: 1, to: floored)!
        default: return floored.addingTimeInterval(grain == .hour ? 3600 : 86_400)
        }
    }

    /// The start of the UTC hour or day (`seconds` 3600 or 86 400) that `date` falls in.
    public static func floor(_ date: Date, seconds: Int64) -> Date {
        let whole = Int64(date.timeIntervalSince1970.rounded(.down))
        let floored = whole - ((whole % seconds) + seconds) % seconds
        return Date(timeIntervalSince1970: TimeInterval(floored))
    }
}
