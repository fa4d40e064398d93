import Foundation
import Logging
import PostgresNIO

/// The monthly partitions of `activity_events`: listed, made ahead of time, and dropped past retention. A
/// partition goes with the keys of its events (the key tables are not partitioned), in rounds of block
/// ranges so no statement holds millions of row locks.
public struct PostgresActivityPartitions: Sendable {
    public struct Partition: Sendable, Equatable {
        public var name: String
        /// The first instant (UTC) of its month.
        public var start: Date
    }

    let client: DatabaseClient
    let logger: Logger

    /// Heap blocks whose events' keys one statement deletes.
    static let blocksPerRound = 1000

    public init(client: PostgresClient, logger: Logger, deadline: Duration? = DatabaseDeadline.defaultLimit) {
        self.client = DatabaseClient(client, deadline: deadline)
        self.logger = logger
    }

    public func list() async throws -> [Partition] {
        let rows = try await client.query(
            """
            SELECT c.relname, (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([^'']+)''\\)'))[1]::timestamptz
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'activity_events'::regclass
            ORDER BY 2
            """, logger: logger)
        var partitions: [Partition] = []
        for try await (name, start) in rows.decode((String, Date).self) { partitions.append(Partition(name: name, start: start)) }
        return partitions
    }

    /// The partition of the month starting at `monthStart` (UTC), made when missing; true when made now.
    @discardableResult
    public func ensure(monthStart: Date) async throws -> Bool {
        let day = monthStart.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day())
        var created = false
        let rows = try await client.query("SELECT activity_ensure_partition(\(day)::date)", logger: logger)
        for try await value in rows.decode(Bool.self) { created = value }
        if created { logger.notice("activity_events partition created", metadata: ["month": "\(day)"]) }
        return created
    }

    /// Deletes the keys of `partition`'s events from both key tables, then the partition.
    public func drop(_ partition: Partition) async throws {
        let name = partition.name
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw PartitionNameRefused(name: name)
        }
        let blocks =
            try await client.query(
                "SELECT (pg_relation_size(\(name)::regclass) / current_setting('block_size')::int8)::int8", logger: logger
            ).decode(Int64.self).collectAll().first ?? 0
        var from: Int64 = 0
        while from < blocks {
            let to = from + Int64(Self.blocksPerRound)
            for table in ["activity_ingested_keys", "activity_aggregated_keys"] {
                try await client.query(
                    PostgresQuery(
                        unsafeSQL: """
                            DELETE FROM \(table) k USING (
                                SELECT source_id, event_id FROM \(name) WHERE ctid >= '(\(from),0)'::tid AND ctid < '(\(to),0)'::tid
                            ) p
                            WHERE k.source_id = p.source_id AND k.event_id = p.event_id
                            """), logger: logger)
            }
            from = to
        }
        try await client.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(name)"), logger: logger)
        logger.notice("activity_events partition dropped past retention", metadata: ["partition": "\(name)"])
    }

    struct PartitionNameRefused: Error {
        var name: String
    }
}
