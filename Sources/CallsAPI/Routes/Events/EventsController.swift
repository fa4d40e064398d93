import CallsCore
import EventBus
import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import QueuePanel

/// `POST /events`: telephony queue events, as queue_log lines (`text/plain`, with the PBX's name and the
/// byte offset of the body's first line in its log) or as JSON objects (an array or NDJSON). Each event is
/// named by (source, event id), a queue_log line's id being its byte offset, so a retried POST changes
/// nothing. Malformed lines are refused one by one; the others go on to the telephony stream.
struct EventsController: Sendable {
    let ingest: any TelephonyIngest
    let limits: EventIngestSettings
    /// How old an event may be: older ones could be copies of events already forgotten (they are kept this
    /// long to recognise a copy), and would apply again.
    var retention: Duration = .seconds(7 * 86_400)
    /// How far ahead of this server's clock an event may be (PBX clocks drift; an event from the future would
    /// hold the panel's lag and its waiting callers' ages wrong).
    static let maxClockLead: TimeInterval = 600

    func addRoutes(to routes: AccessGroups) {
        routes.write.post("/events", use: receive)
    }

    @Sendable func receive(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let format = try EventBodyFormat(contentType: request.headers[.contentType])
        // Before the body is read: a queue_log body without its source cannot be taken at all.
        let origin = try format == .queueLog ? QueueLogOrigin(request.uri.queryParameters) : nil
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limits.maxBodyBytes {
            throw Problem.eventsTooLarge(limit: limits.maxBodyBytes)
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limits.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw Problem.eventsTooLarge(limit: limits.maxBodyBytes)
        }
        let parsed = try parse(Array(body.readableBytesView), format: format, origin: origin, now: Date())
        var answer = EventIngestAnswer(accepted: 0, duplicates: 0, unknown: 0, rejected: parsed.rejected)
        let fresh = await withoutDuplicates(parsed.events, answer: &answer, logger: context.logger)
        do {
            try await ingest.publish(fresh)
        } catch let full as EventStream.BacklogFull {
            context.logger.warning("telephony stream full, events refused", metadata: ["length": "\(full.length)"])
            throw Problem.eventsBacklogFull
        } catch {
            context.logger.error("telephony events not published", metadata: ["error": "\(error)"])
            throw Problem.unavailable("queue")
        }
        answer.accepted = fresh.count
        answer.unknown = fresh.count { !$0.name.isKnown }
        Counter(label: "calls_events_received_total", dimensions: [("outcome", "accepted")]).increment(by: answer.accepted)
        Counter(label: "calls_events_received_total", dimensions: [("outcome", "duplicate")]).increment(by: answer.duplicates)
        Counter(label: "calls_events_received_total", dimensions: [("outcome", "rejected")]).increment(by: answer.rejected.count)
        return try Response.json(answer, status: .accepted)
    }

    func parse(
        _ bytes: [UInt8], format: EventBodyFormat, origin: QueueLogOrigin?, now: Date
    ) throws -> (events: [QueueEvent], rejected: [EventIngestAnswer.Rejected]) {
        let check = timeCheck(now: now)
        switch format {
        case .queueLog:
            guard Self.lineCount(bytes) <= limits.maxLines else { throw Problem.tooManyEvents(limit: limits.maxLines) }
            let origin = origin!
            let (events, rejections) = QueueLogParser.parse(bytes, source: origin.source, firstOffset: origin.offset, check: check)
            return (events, rejections.map { .init(line: $0.line, reason: $0.reason) })
        case .json:
            // Counted before the parse, which holds every element in memory twice.
            guard QueueEventJSON.itemCount(bytes) <= limits.maxLines else { throw Problem.tooManyEvents(limit: limits.maxLines) }
            let parsed: (events: [QueueEvent], rejections: [QueueEventJSON.Rejection])
            do {
                parsed = try QueueEventJSON.parse(bytes, check: check)
            } catch {
                throw Problem.invalidEventsBody(error.reason)
            }
            return (parsed.events, parsed.rejections.map { .init(index: $0.index, reason: $0.reason) })
        }
    }

    /// Refuses events older than the retention or too far ahead of `now`.
    func timeCheck(now: Date) -> (QueueEvent) -> String? {
        let days = retention.components.seconds / 86_400
        let oldest = now.addingTimeInterval(-Double(retention.components.seconds))
        let newest = now.addingTimeInterval(Self.maxClockLead)
        return { event in
            if event.time < oldest { return "older than the \(days) days events are kept to recognise a copy" }
            if event.time > newest { return "more than \(Int(Self.maxClockLead)) s ahead of the server's clock" }
            return nil
        }
    }

    /// The events not sent before, in order: a key twice in the body counts once, and so does a key the
    /// panel already holds. While PostgreSQL cannot say, every event goes on: the consumer skips what it
    /// applied before, and only this answer's count of duplicates is the poorer for it.
    func withoutDuplicates(_ events: [QueueEvent], answer: inout EventIngestAnswer, logger: Logger) async -> [QueueEvent] {
        var seen = Set<QueueEvent.Key>()
        var unique: [QueueEvent] = []
        unique.reserveCapacity(events.count)
        for event in events where seen.insert(event.key).inserted { unique.append(event) }
        answer.duplicates = events.count - unique.count
        let stored: Set<QueueEvent.Key>
        do {
            stored = try await ingest.stored(unique.map(\.key))
        } catch {
            logger.warning("could not tell events sent before; publishing all", metadata: ["error": "\(error)"])
            return unique
        }
        guard !stored.isEmpty else { return unique }
        answer.duplicates += stored.count
        return unique.filter { !stored.contains($0.key) }
    }

    /// Non-empty or not, every line counts: what the limit bounds is the parser's work.
    static func lineCount(_ bytes: [UInt8]) -> Int {
        let newlines = bytes.count { $0 == UInt8(ascii: "\n") }
        return newlines + (bytes.last.map { $0 == UInt8(ascii: "\n") ? 0 : 1 } ?? 0)
    }
}

/// How a `POST /events` body is written, by its `Content-Type`.
enum EventBodyFormat: Equatable {
    case queueLog
    case json

    init(contentType: String?) throws {
        let mediaType = (contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        switch mediaType {
        case "text/plain": self = .queueLog
        case "application/json", "application/x-ndjson", "application/ndjson", "application/jsonl": self = .json
        default: throw Problem.unsupportedEventsType(contentType)
        }
    }
}

/// The query of a queue_log body: which PBX wrote it, and where in its log the body starts.
struct QueueLogOrigin: Equatable {
    var source: String
    var offset: Int64

    static let maxSourceLength = 128
    /// 8 PiB of log: far beyond any PBX, and far from where adding a body's length could overflow.
    static let maxOffset: Int64 = 1 << 53

    init(_ parameters: Parameters) throws {
        var failure = ValidationFailure()
        let source = parameters.get("source") ?? ""
        if source.isEmpty || source.count > Self.maxSourceLength || !source.allSatisfy(Self.allowedInSource) {
            failure.add(
                "source",
                "must name the PBX: 1 to \(Self.maxSourceLength) letters, digits or '.', '_', '-', ':', '@'")
        }
        let offset = parameters.get("offset").flatMap { Int64($0) }
        if offset == nil || !(0...Self.maxOffset).contains(offset!) {
            failure.add(
                "offset",
                "must be the byte offset of the body's first line in the PBX's log (counted across its rotations), "
                    + "a whole number from 0 to \(Self.maxOffset)")
        }
        guard failure.isEmpty else { throw Problem.validation(failure) }
        self.source = source
        self.offset = offset!
    }

    static func allowedInSource(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "._-:@".contains(character))
    }
}
