import Foundation

/// How one fetcher is doing, as `GET /sources` shows it.
public struct SourceStatus: Sendable, Equatable, Codable {
    public var source: String
    public var collection: String
    public var cursor: Int64
    public var itemsFetched: Int64
    public var itemsRejected: Int64
    public var pages: Int64
    public var lastSuccessAt: Date?
    public var lastError: String?
    public var lastErrorAt: Date?

    public init(
        source: String, collection: String, cursor: Int64, itemsFetched: Int64 = 0, itemsRejected: Int64 = 0, pages: Int64 = 0,
        lastSuccessAt: Date? = nil, lastError: String? = nil, lastErrorAt: Date? = nil
    ) {
        self.source = source
        self.collection = collection
        self.cursor = cursor
        self.itemsFetched = itemsFetched
        self.itemsRejected = itemsRejected
        self.pages = pages
        self.lastSuccessAt = lastSuccessAt
        self.lastError = lastError
        self.lastErrorAt = lastErrorAt
    }
}

/// A recorded reject, as `GET /sources/{source}/rejects` shows it.
public struct SourceRejectRecord: Sendable, Equatable, Codable {
    public var id: Int64
    public var collection: String
    public var itemID: Int64?
    public var reason: String
    /// The item as the source sent it (JSON text).
    public var item: String
    public var rejectedAt: Date

    public init(id: Int64, collection: String, itemID: Int64?, reason: String, item: String, rejectedAt: Date) {
        self.id = id
        self.collection = collection
        self.itemID = itemID
        self.reason = reason
        self.item = item
        self.rejectedAt = rejectedAt
    }
}
