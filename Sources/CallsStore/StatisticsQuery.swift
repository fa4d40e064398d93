import CallsCore
import Foundation

/// A statistics period: CDRs whose `start_time` is in [from, to), optionally of one source and call type,
/// optionally as a time series of UTC hours or days.
public struct StatisticsQuery: Sendable, Equatable {
    public enum Grouping: String, Sendable, CaseIterable {
        case hour, day

        public var seconds: Int64 { self == .hour ? 3600 : 86_400 }

        /// The UTC bucket `date` falls in.
        public func bucket(of date: Date) -> Date {
            StatisticsSpans.floor(date, seconds: seconds)
        }
    }

    public var from: Date
    public var to: Date
    public var source: String?
    public var callType: String?
    public var groupBy: Grouping?

    public init(from: Date, to: Date, source: String? = nil, callType: String? = nil, groupBy: Grouping? = nil) {
        self.from = from
        self.to = to
        self.source = source
        self.callType = callType
        self.groupBy = groupBy
    }
}

/// Sums over a set of CDRs, from which the API derives its averages.
public struct CallTotals: Sendable, Equatable {
    public var totalCalls: Int64 = 0
    public var answeredCalls: Int64 = 0
    public var durationSeconds: Int64 = 0
    /// Calls with a `wait_seconds` (those answered), and the sum of their waits.
    public var waitedCalls: Int64 = 0
    public var waitSeconds: Int64 = 0
    /// `talk_seconds` of answered calls.
    public var answeredTalkSeconds: Int64 = 0

    public init() {}

    public mutating func add(_ record: CallDetailRecord) {
        totalCalls += 1
        durationSeconds += Int64(record.durationSeconds)
        if record.answered {
            answeredCalls += 1
            answeredTalkSeconds += Int64(record.talkSeconds)
        }
        if let wait = record.waitSeconds {
            waitedCalls += 1
            waitSeconds += Int64(wait)
        }
    }
}

public struct CallTotalsBucket: Sendable, Equatable {
    /// The hour or day (UTC); nil without a grouping.
    public var start: Date?
    public var totals: CallTotals

    public init(start: Date?, totals: CallTotals) {
        self.start = start
        self.totals = totals
    }
}

public struct OperatorTotals: Sendable, Equatable {
    public var operatorID: Int64
    /// From the operator's most recent CDR that has a name.
    public var operatorName: String?
    public var callCount: Int64
    public var durationSeconds: Int64
    public var talkSeconds: Int64

    public init(operatorID: Int64, operatorName: String?, callCount: Int64, durationSeconds: Int64, talkSeconds: Int64) {
        self.operatorID = operatorID
        self.operatorName = operatorName
        self.callCount = callCount
        self.durationSeconds = durationSeconds
        self.talkSeconds = talkSeconds
    }
}

public struct OperatorTotalsBucket: Sendable, Equatable {
    /// The hour or day (UTC); nil without a grouping.
    public var start: Date?
    /// By operator id.
    public var operators: [OperatorTotals]

    public init(start: Date?, operators: [OperatorTotals]) {
        self.start = start
        self.operators = operators
    }
}
