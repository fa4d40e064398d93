import CallsCore
import Foundation
import Logging
import PostgresNIO

/// The CDR builder over PostgreSQL. A batch is one transaction: due `cdr_pending` rows are taken with
/// `FOR UPDATE SKIP LOCKED` (several builders share the queue, each call goes to one), their inputs loaded
/// in one query per table, each call decided by `ImportedCallCdr` or `QueueCallCdr`, the CDRs upserted in
/// one statement, and the pending rows settled: removed when built or not finished, postponed when
/// waiting. A writer changing a call's inputs meanwhile waits on its pending row's lock and queues the call
/// again once the batch commits, so no change is lost.
public struct PostgresCdrBuilderStore: CdrBuilderStore {
    let client: DatabaseClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger, deadline: Duration? = DatabaseDeadline.defaultLimit) {
        self.client = DatabaseClient(client, deadline: deadline)
        self.logger = logger
    }

    public func buildDue(limit: Int, graceSeconds: Int) async throws -> CdrBuildReport {
        let logger = logger
        return try await client.withTransaction(deadlines: 1, logger: logger) { connection in
            let (entries, now) = try await Self.takeDue(limit: limit, connection: connection, logger: logger)
            guard !entries.isEmpty else { return CdrBuildReport() }
            let imported = try await CdrInputRows.loadImported(
                entries.compactMap { entry in entry.externalID.map { SourceCallKey(source: entry.source, externalID: $0) } },
                connection: connection, logger: logger)
            let queued = try await CdrInputRows.loadQueued(
                entries.filter { $0.kind == .queue }.map { QueueCallKey(source: $0.source, callID: $0.callKey) },
                connection: connection, logger: logger)
            var records: [CallDetailRecord] = []
            var settled: [CdrPendingEntry] = []
            var postponed: [(CdrPendingEntry, Date)] = []
            var report = CdrBuildReport(taken: entries.count)
            for entry in entries {
                let grace = CdrGrace(firstSeenAt: entry.firstSeenAt, seconds: graceSeconds, now: now)
                switch Self.decide(entry, imported: imported, queued: queued, grace: grace) {
                case .build(let record):
                    records.append(record)
                    settled.append(entry)
                case .waitUntil(let due):
                    postponed.append((entry, due))
                    report.deferred += 1
                case .notFinished:
                    settled.append(entry)
                    report.notFinished += 1
                }
            }
            let written = try await CdrWrites.upsert(records, connection: connection, logger: logger)
            report.built = written.built
            report.rebuilt = written.rebuilt
            report.unchanged = records.count - written.built - written.rebuilt
            try await CdrWrites.settle(settled, connection: connection, logger: logger)
            try await CdrWrites.postpone(postponed, connection: connection, logger: logger)
            return report
        }
    }

    public func backlog() async throws -> CdrBacklog {
        let rows = try await client.query(
            "SELECT count(*) FILTER (WHERE due_at <= now()), count(*) FILTER (WHERE due_at > now()) FROM cdr_pending",
            logger: logger)
        for try await (due, waiting) in rows.decode((Int, Int).self) { return CdrBacklog(due: due, waiting: waiting) }
        return CdrBacklog(due: 0, waiting: 0)
    }

    static func decide(
        _ entry: CdrPendingEntry, imported: [SourceCallKey: ImportedCallCdr.Inputs], queued: [QueueCallKey: [QueueCallCdr.Event]],
        grace: CdrGrace
    ) -> CdrDecision {
        switch entry.kind {
        case .import:
            // Only triggers write the key, from a bigint: one that is not a number cannot have a call.
            guard let externalID = entry.externalID else { return .notFinished }
            let key = SourceCallKey(source: entry.source, externalID: externalID)
            return ImportedCallCdr.decide(
                imported[key] ?? ImportedCallCdr.Inputs(source: entry.source, externalID: externalID, call: nil), grace: grace)
        case .queue:
            let events = queued[QueueCallKey(source: entry.source, callID: entry.callKey)] ?? []
            return QueueCallCdr.decide(source: entry.source, callKey: entry.callKey, events: events, grace: grace)
        }
    }

    /// The due rows no other builder holds, oldest due first, and the database's clock.
    static func takeDue(limit: Int, connection: PostgresConnection, logger: Logger) async throws -> ([CdrPendingEntry], Date) {
        let rows = try await connection.query(
            """
            SELECT p.kind, p.source, p.call_key, \(unescaped: CdrPendingEntry.changeStampSQL), p.first_seen_at, now()
            FROM cdr_pending p WHERE p.due_at <= now() ORDER BY p.due_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
            """, logger: logger)
        var entries: [CdrPendingEntry] = []
        var now = Date()
        for try await (kind, source, callKey, stamp, firstSeen, databaseNow) in rows.decode(
            (String, String, String, Int64, Date, Date).self)
        {
            now = databaseNow
            guard let kind = CallDetailRecord.Kind(rawValue: kind) else { continue }
            entries.append(CdrPendingEntry(kind: kind, source: source, callKey: callKey, changeStamp: stamp, firstSeenAt: firstSeen))
        }
        return (entries, now)
    }
}
