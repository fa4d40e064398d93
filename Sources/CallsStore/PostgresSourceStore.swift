import CallsCore
import Foundation
import Logging
import PostgresNIO

/// Imported calls, legs, events and operators, and the cursors and rejects of the fetchers, in PostgreSQL.
/// A page is one transaction: its items upserted by the source's own ids (a page fetched twice changes
/// nothing), its rejects recorded, and the cursor moved only if it is still where the page was fetched
/// from, so a fetcher that lost its lease while fetching cannot store a page another one already stored.
public struct PostgresSourceStore: SourceStore {
    let client: DatabaseClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger, deadline: Duration? = DatabaseDeadline.defaultLimit) {
        self.client = DatabaseClient(client, deadline: deadline)
        self.logger = logger
    }

    public func cursor(source: String, collection: SourceCollection) async throws -> Int64 {
        let rows = try await client.query(
            """
            WITH made AS (
                INSERT INTO source_cursors (source, collection) VALUES (\(source), \(collection.rawValue))
                ON CONFLICT (source, collection) DO NOTHING RETURNING cursor
            )
            SELECT cursor FROM made UNION ALL
            SELECT cursor FROM source_cursors WHERE source = \(source) AND collection = \(collection.rawValue)
            """, logger: logger)
        for try await cursor in rows.decode(Int64.self) { return cursor }
        throw PostgresStoreError("no cursor row for \(source)/\(collection.rawValue)")
    }

    /// Thrown inside the transaction to roll it back.
    struct CursorMoved: Error {}

    public func store(_ batch: SourceBatch, source: String, collection: SourceCollection, from: Int64) async throws -> Bool {
        let logger = logger
        do {
            try await client.withTransaction(deadlines: 2, logger: logger) { connection in
                if collection == .calls || collection == .connections {
                    try await Self.lockReceivers(of: source, connection: connection, logger: logger)
                }
                for item in Self.inCallOrder(batch.items) {
                    try await SourceRows.upsert(item, source: source, connection: connection, logger: logger)
                }
                for reject in batch.rejects {
                    try await connection.query(
                        """
                        INSERT INTO source_rejects (source, collection, item_id, reason, item)
                        VALUES (\(source), \(collection.rawValue), \(reject.itemID), \(reject.reason), \(reject.item)::jsonb)
                        """, logger: logger)
                }
                let fetched = Int64(batch.items.count)
                let rejected = Int64(batch.rejects.count)
                let moved = try await connection.query(
                    """
                    UPDATE source_cursors
                    SET cursor = \(batch.cursorAfter), items_fetched = items_fetched + \(fetched),
                        items_rejected = items_rejected + \(rejected), pages = pages + 1, last_success_at = now(), updated_at = now()
                    WHERE source = \(source) AND collection = \(collection.rawValue) AND cursor = \(from)
                    RETURNING 1
                    """, logger: logger)
                var updated = false
                for try await _ in moved { updated = true }
                // A first page needs no earlier `cursor` call: its row is made here (if another fetcher made it
                // meanwhile, this page lost the race).
                if !updated, from == 0 {
                    let made = try await connection.query(
                        """
                        INSERT INTO source_cursors (source, collection, cursor, items_fetched, items_rejected, pages, last_success_at)
                        VALUES (\(source), \(collection.rawValue), \(batch.cursorAfter), \(fetched), \(rejected), 1, now())
                        ON CONFLICT (source, collection) DO NOTHING RETURNING 1
                        """, logger: logger)
                    for try await _ in made { updated = true }
                }
                guard updated else { throw CursorMoved() }
            }
            return true
        } catch let error as PostgresTransactionError where error.closureError is CursorMoved {
            return false
        }
    }

    /// Every upsert queues its call's CDR (`cdr_pending`, by trigger), which locks that call's row there until
    /// commit; pages of several collections taking those rows in one order (the call's id) wait for each other
    /// instead of deadlocking. Legs and events come sorted by their own ids, not their call's.
    static func inCallOrder(_ items: [SourceItem]) -> [SourceItem] {
        items.enumerated().sorted { ($0.element.callID ?? 0, $0.offset) < ($1.element.callID ?? 0, $1.offset) }.map(\.element)
    }

    /// A call's receiver is its first leg's phone, read by a call's insert and written by a leg's: a call page
    /// and a leg page of one source committing side by side would each miss the other's row and leave the
    /// receiver empty. They take turns on this lock (one per source, taken before either reads), so whichever
    /// comes second sees what the first committed.
    static func lockReceivers(of source: String, connection: PostgresConnection, logger: Logger) async throws {
        _ = try await connection.query("SELECT pg_advisory_xact_lock(\(receiverLockClass), hashtext(\(source)))", logger: logger)
    }

    /// The first key of the two-key advisory lock above ("sr": source receivers).
    static let receiverLockClass: Int32 = 0x7372

    public func recordFailure(source: String, collection: SourceCollection, error: String) async throws {
        try await client.query(
            """
            INSERT INTO source_cursors (source, collection, last_error, last_error_at)
            VALUES (\(source), \(collection.rawValue), \(String(error.prefix(1000))), now())
            ON CONFLICT (source, collection) DO UPDATE
            SET last_error = EXCLUDED.last_error, last_error_at = EXCLUDED.last_error_at, updated_at = now()
            """, logger: logger)
    }

    public func statuses() async throws -> [SourceStatus] {
        let rows = try await client.query(
            """
            SELECT source, collection, cursor, items_fetched, items_rejected, pages, last_success_at, last_error, last_error_at
            FROM source_cursors ORDER BY source, collection
            """, logger: logger)
        var statuses: [SourceStatus] = []
        for try await row in rows.decode((String, String, Int64, Int64, Int64, Int64, Date?, String?, Date?).self) {
            statuses.append(
                SourceStatus(
                    source: row.0, collection: row.1, cursor: row.2, itemsFetched: row.3, itemsRejected: row.4, pages: row.5,
                    lastSuccessAt: row.6, lastError: row.7, lastErrorAt: row.8))
        }
        return statuses
    }

    public func rejects(source: String, limit: Int) async throws -> [SourceRejectRecord] {
        let rows = try await client.query(
            """
            SELECT id, collection, item_id, reason, item::text, rejected_at FROM source_rejects
            WHERE source = \(source) ORDER BY id DESC LIMIT \(limit)
            """, logger: logger)
        var records: [SourceRejectRecord] = []
        for try await row in rows.decode((Int64, String, Int64?, String, String, Date).self) {
            records.append(SourceRejectRecord(id: row.0, collection: row.1, itemID: row.2, reason: row.3, item: row.4, rejectedAt: row.5))
        }
        return records
    }
}
