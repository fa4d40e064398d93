import CallsCore

/// Where fetched pages go, and how fetchers are doing.
public protocol SourceStore: SourceStatusReader {
    /// The cursor of (source, collection), made 0 on first use.
    func cursor(source: String, collection: SourceCollection) async throws -> Int64
    /// Stores a batch and moves the cursor from `from` to the batch's end, all or nothing; false (nothing
    /// stored) when the cursor is no longer at `from`: another fetcher moved it.
    func store(_ batch: SourceBatch, source: String, collection: SourceCollection, from: Int64) async throws -> Bool
    /// Records why a page could not be fetched or taken; the cursor stays.
    func recordFailure(source: String, collection: SourceCollection, error: String) async throws
}

/// What `GET /sources` reads.
public protocol SourceStatusReader: Sendable {
    /// Every fetcher that ever ran, by source then collection.
    func statuses() async throws -> [SourceStatus]
    /// The newest rejects of `source`, newest first.
    func rejects(source: String, limit: Int) async throws -> [SourceRejectRecord]
}
