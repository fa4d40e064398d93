import CallsCore
import Foundation

/// What `GET /cdrs` asks for: every filter is optional and they combine with AND. Records come newest first,
/// by `start_time` then id (both descending).
public struct CdrQuery: Sendable, Equatable {
    /// `start_time` at or after this.
    public var from: Date?
    /// `start_time` before this.
    public var to: Date?
    public var operatorID: Int64?
    /// `call_result`, exactly.
    public var result: String?
    public var source: String?
    public var limit: Int
    /// Continue after this record.
    public var after: CdrCursor?

    public init(
        from: Date? = nil, to: Date? = nil, operatorID: Int64? = nil, result: String? = nil, source: String? = nil,
        limit: Int = 100, after: CdrCursor? = nil
    ) {
        self.from = from
        self.to = to
        self.operatorID = operatorID
        self.result = result
        self.source = source
        self.limit = limit
        self.after = after
    }

    /// Whether `record` passes the filters (cursor included): the in-memory twins' definition of the query.
    public func matches(_ record: CallDetailRecord) -> Bool {
        if let from, record.startTime < from { return false }
        if let to, record.startTime >= to { return false }
        if let operatorID, record.operatorID != operatorID { return false }
        if let result, record.callResult != result { return false }
        if let source, record.source != source { return false }
        if let after {
            let position = CdrCursor(after: record)
            guard (position.startTimeMicros, position.id) < (after.startTimeMicros, after.id) else { return false }
        }
        return true
    }
}

public struct CdrPage: Sendable, Equatable {
    public var items: [CallDetailRecord]
    /// Where the next page starts; nil on the last page.
    public var nextCursor: CdrCursor?

    public init(items: [CallDetailRecord], nextCursor: CdrCursor?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}
