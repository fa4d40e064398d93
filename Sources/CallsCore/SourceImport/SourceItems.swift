import Foundation

/// A call from a source's `calls` collection.
public struct SourceCall: Sendable, Equatable {
    public var callID: Int64
    public var callType: String
    public var scenarioID: String
    public var initiatorPhone: String
    public var mediaRecordID: String?
    public var initiatedAt: Date
    public var finishedAt: Date?
    /// JSON text of the `context` object; nil when the source sent none.
    public var context: String?
}

/// A leg of a call, from `connections`.
public struct SourceConnection: Sendable, Equatable {
    public var connectionID: Int64
    public var callID: Int64
    public var phone: String
    public var initiatedAt: Date
    public var answeredAt: Date?
    public var finishedAt: Date?
}

/// An event of a call, from `call_events`.
public struct SourceCallEvent: Sendable, Equatable {
    public var eventID: Int64
    public var callID: Int64
    public var eventType: String
    /// JSON text of the payload object (`{}` when the source sent none).
    public var payload: String
    /// From an `operator_assigned` payload.
    public var operatorID: Int64?
}

/// An operator, from `operators`.
public struct SourceOperator: Sendable, Equatable {
    public var operatorID: Int64
    public var name: String
    public var `extension`: String?
    public var email: String?
}

public enum SourceItem: Sendable, Equatable {
    case call(SourceCall)
    case connection(SourceConnection)
    case event(SourceCallEvent)
    case `operator`(SourceOperator)

    /// The call the item belongs to at its source; nil for an operator.
    public var callID: Int64? {
        switch self {
        case .call(let call): call.callID
        case .connection(let leg): leg.callID
        case .event(let event): event.callID
        case .operator: nil
        }
    }
}

/// An item that failed validation: kept with the reason, and skipped.
public struct SourceReject: Sendable, Equatable {
    public var itemID: Int64?
    public var reason: String
    /// JSON text of the item as it came, made storable (see `JSONValue.storableText`) and cut to
    /// `SourceReject.maxItemBytes`.
    public var item: String

    public static let maxItemBytes = 8 * 1024
}

/// A page's items sorted into what is stored and what is rejected.
public struct SourceBatch: Sendable, Equatable {
    public var items: [SourceItem] = []
    public var rejects: [SourceReject] = []
    /// Where the cursor goes once the batch is stored.
    public var cursorAfter: Int64
    public var caughtUp: Bool

    public init(page: SourcePage, collection: SourceCollection) {
        cursorAfter = page.cursorAfter
        caughtUp = page.caughtUp
        for item in page.items {
            switch SourceItemValidation.validate(item, collection: collection) {
            case .success(let valid): items.append(valid)
            case .failure(let failure):
                rejects.append(
                    SourceReject(
                        itemID: item.objectValue?[collection.idKey]?.integerValue,
                        reason: failure.reason, item: item.storableText(limit: SourceReject.maxItemBytes)))
            }
        }
    }
}
