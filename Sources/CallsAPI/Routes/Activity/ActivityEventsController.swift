import Activity
import CallsCore
import EventBus
import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore

/// `POST /api/v1/events`: subscriber events (calls, SMS, data sessions) as JSON, an array or one object per
/// line. Each event is checked on its own: an invalid one is refused by its index and never reaches a stream;
/// one sent before (by its `(source_id, event_id)`) is counted as a duplicate; the others go to the stream of
/// their user's partition, in the body's order.
struct ActivityEventsController: Sendable {
    let ingest: any ActivityIngest
    /// The body limits and the retention (which bounds how old an event may be).
    let settings: ActivitySettings

    func addRoutes(to routes: AccessGroups) {
        routes.write.post("/api/v1/events", use: receive)
    }

    @Sendable func receive(_ request: Request, context: CallsRequestContext) async throws -> Response {
        try ActivityBodyFormat.check(contentType: request.headers[.contentType])
        let body = try await collectBody(request)
        // Counted by a scan of the bytes: a body of too many events costs no decoding.
        guard JSONBodyItems.count(body) <= settings.maxBatch else { throw Problem.tooManyActivityEvents(limit: settings.maxBatch) }
        // Text that is no JSON at all (a wrong file, an HTML error page) is one mistake, not a line-by-line refusal.
        if let first = body.first(where: { !Self.isJSONWhitespace($0) }), first != UInt8(ascii: "["), first != UInt8(ascii: "{") {
            throw Problem.invalidEventsBody("the body is neither a JSON array nor JSON objects one per line")
        }
        let now = Date()
        let parsed: (events: [ActivityEvent], rejections: [ActivityEventJSON.Rejection])
        do {
            parsed = try ActivityEventJSON.parse(
                body, now: now, window: ActivityTimeWindow(now: now, retentionMonths: settings.retentionMonths))
        } catch {
            throw Problem.invalidEventsBody(error.reason)
        }
        let (fresh, duplicates) = await withoutDuplicates(parsed.events, logger: context.logger)
        try await publish(fresh, logger: context.logger)
        let answer = ActivityIngestAnswer(
            accepted: fresh.count, duplicates: duplicates, rejected: parsed.rejections.map { .init(index: $0.index, reason: $0.reason) })
        Counter(label: "calls_activity_received_total", dimensions: [("outcome", "accepted")]).increment(by: answer.accepted)
        Counter(label: "calls_activity_received_total", dimensions: [("outcome", "duplicate")]).increment(by: answer.duplicates)
        Counter(label: "calls_activity_received_total", dimensions: [("outcome", "rejected")]).increment(by: answer.rejected.count)
        return try Response.json(answer, status: .accepted)
    }

    static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// The body, refused with 413 as soon as it is known to be over the limit: by its declared length before
    /// anything is read, else once that many bytes have come.
    func collectBody(_ request: Request) async throws -> [UInt8] {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > settings.maxBodyBytes {
            throw Problem.activityBodyTooLarge(limit: settings.maxBodyBytes)
        }
        do {
            return Array(try await request.body.collect(upTo: settings.maxBodyBytes).readableBytesView)
        } catch is NIOTooManyBytesError {
            throw Problem.activityBodyTooLarge(limit: settings.maxBodyBytes)
        }
    }

    /// The events not sent before, in order, and how many were: a key twice in the body counts once, and so
    /// does a key the ingest consumer already stored. While PostgreSQL cannot say, every event goes on: the
    /// consumers skip what they applied before, and only this answer's count of duplicates is the poorer for it.
    func withoutDuplicates(_ events: [ActivityEvent], logger: Logger) async -> (fresh: [ActivityEvent], duplicates: Int) {
        var seen = Set<ActivityEvent.Key>()
        seen.reserveCapacity(events.count)
        let unique = events.filter { seen.insert($0.key).inserted }
        let inBody = events.count - unique.count
        let stored: Set<ActivityEvent.Key>
        do {
            stored = try await ingest.stored(unique.map(\.key))
        } catch {
            logger.warning("could not tell activity events sent before; publishing all", metadata: ["error": "\(error)"])
            return (unique, inBody)
        }
        guard !stored.isEmpty else { return (unique, inBody) }
        return (unique.filter { !stored.contains($0.key) }, inBody + stored.count)
    }

    /// Appends each partition's events to its stream, the partitions at the same time. A failed partition
    /// fails the request, though the others' events may already be on their streams: the client retries the
    /// whole batch, and the consumers skip what they applied before.
    func publish(_ events: [ActivityEvent], logger: Logger) async throws {
        let batches = ActivityPartitionBatches(events, partitioner: ActivityPartitioner(partitions: ingest.partitions)).batches
        let ingest = ingest
        let failures = await withTaskGroup(of: (any Error)?.self) { group in
            for (partition, batch) in batches {
                group.addTask {
                    do {
                        try await ingest.append(batch, toPartition: partition)
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            var failures: [any Error] = []
            for await case let failure? in group { failures.append(failure) }
            return failures
        }
        guard let first = failures.first else { return }
        let metadata: Logger.Metadata = [
            "failed_partitions": "\(failures.count)", "partitions": "\(batches.count)", "error": "\(first)",
        ]
        // Redis failing is the graver news: a full stream only needs its consumers to catch up.
        guard failures.allSatisfy({ $0 is EventStream.BacklogFull }) else {
            logger.error("activity events not published", metadata: metadata)
            throw Problem.unavailable("queue")
        }
        logger.warning("activity stream full, events refused", metadata: metadata)
        throw Problem.activityBacklogFull
    }
}
