import Activity
import CallsCore
import Foundation
import Hummingbird
import Logging
import NIOCore

/// The three activity endpoints over events kept in memory, in the shapes of the real API (day and month
/// aggregates in UTC, per user or global); it can be told to lose an event, miscount an aggregate, show an
/// event with another end or meta, refuse every batch or be unavailable for a while.
actor FakeActivityAPI {
    struct Faults {
        /// Answer this many POSTs with 503 (Retry-After: 0) before taking any.
        var unavailablePosts = 0
        /// Never store the n-th new event (0-based).
        var dropEvent: Int?
        /// Add one to the count of this subscriber's first day row, every time.
        var miscountUser: String?
        /// Add one to the count of this subscriber's first month row, every time.
        var miscountMonthUser: String?
        /// Leave the n-th new event (0-based) out of the global rows only.
        var skipGlobalEvent: Int?
        /// Show the first new call or data session with its ended_at a second late.
        var wrongEndedAt = false
        /// Show the first new event with another meta.
        var wrongMeta = false
        /// Answer every POST with this status.
        var refuseWith: Int?
    }

    var faults: Faults
    var events: [ActivityEvent.Key: ActivityEvent] = [:]
    var dropped: String?
    var skippedGlobally: String?
    var shownWithWrongEnd: String?
    var shownWithWrongMeta: String?
    var newEvents = 0
    var posts = 0
    /// Every detail read: whose, and how many POSTs had come by then.
    var detailReads: [(userID: String, afterPosts: Int)] = []

    init(faults: Faults = Faults()) {
        self.faults = faults
    }

    func post(_ body: [UInt8]) -> (status: Int, json: String) {
        posts += 1
        if faults.unavailablePosts > 0 {
            faults.unavailablePosts -= 1
            return (503, #"{"code":"unavailable"}"#)
        }
        if let status = faults.refuseWith { return (status, #"{"code":"forbidden"}"#) }
        let now = Date()
        guard let parsed = try? ActivityEventJSON.parse(body, now: now, window: ActivityTimeWindow(now: now, retentionMonths: 13)) else {
            return (400, #"{"code":"invalid_body"}"#)
        }
        var duplicates = 0
        for event in parsed.events {
            guard events[event.key] == nil, dropped != event.eventID else {
                duplicates += 1
                continue
            }
            defer { newEvents += 1 }
            if newEvents == faults.dropEvent {
                dropped = event.eventID
                continue
            }
            events[event.key] = event
            if newEvents == faults.skipGlobalEvent { skippedGlobally = event.eventID }
            if faults.wrongEndedAt, shownWithWrongEnd == nil, event.endedAt != nil { shownWithWrongEnd = event.eventID }
            if faults.wrongMeta, shownWithWrongMeta == nil { shownWithWrongMeta = event.eventID }
        }
        let rejected = parsed.rejections.map { #"{"index":\#($0.index),"reason":"\#($0.reason)"}"# }.joined(separator: ",")
        return (202, #"{"accepted":\#(parsed.events.count - duplicates),"duplicates":\#(duplicates),"rejected":[\#(rejected)]}"#)
    }

    /// Newest first; the cursor is the offset of the next page.
    func detail(userID: String, from: Date, to: Date, limit: Int, cursor: Int) -> String {
        detailReads.append((userID, posts))
        let (low, high) = (Microseconds.of(from), Microseconds.of(to))
        let matching = events.values.filter {
            $0.userID == userID && Microseconds.of($0.startedAt) >= low && Microseconds.of($0.startedAt) < high
        }
        .sorted { ($0.startedAt, $0.eventID) > ($1.startedAt, $1.eventID) }
        let page = matching.dropFirst(cursor).prefix(limit)
        let items = page.map { event in
            var item: [String: Any] = [
                "event_id": event.eventID, "source_id": event.sourceID, "user_id": event.userID, "type": event.type.rawValue,
                "started_at": Timestamp.format(event.startedAt), "duration_sec": event.durationSeconds, "bytes_up": event.bytesUp,
                "bytes_down": event.bytesDown, "received_at": Timestamp.format(event.receivedAt),
            ]
            if let ended = event.endedAt {
                item["ended_at"] = Timestamp.format(ended.addingTimeInterval(event.eventID == shownWithWrongEnd ? 1 : 0))
            }
            if let meta = event.meta { item["meta"] = try! JSONSerialization.jsonObject(with: Data(meta.utf8)) }
            if event.eventID == shownWithWrongMeta { item["meta"] = ["cell": "Z0"] }
            return item
        }
        let next: Any = cursor + page.count < matching.count ? String(cursor + page.count) : NSNull()
        let data = try! JSONSerialization.data(withJSONObject: ["items": items, "next_cursor": next])
        return String(decoding: data, as: UTF8.self)
    }

    /// Day or month rows in UTC of one user (nil: everyone), one per period and type, from and to inclusive
    /// (for months, the months holding those days).
    func aggregates(period: String, userID: String?, fromDay: String, toDay: String) -> String {
        let isMonth = period == "month"
        let (low, high) = isMonth ? (String(fromDay.prefix(7)) + "-01", String(toDay.prefix(7)) + "-01") : (fromDay, toDay)
        var rows: [String: [String: Int64]] = [:]
        for event in events.values where userID == nil || event.userID == userID {
            if userID == nil, event.eventID == skippedGlobally { continue }
            let day = String(Timestamp.format(event.startedAt).prefix(10))
            let start = isMonth ? String(day.prefix(7)) + "-01" : day
            guard start >= low, start <= high else { continue }
            let key = start + " " + event.type.rawValue
            var row = rows[key] ?? ["count": 0, "duration_sec": 0, "bytes_up": 0, "bytes_down": 0]
            row["count"]! += 1
            row["duration_sec"]! += event.durationSeconds
            row["bytes_up"]! += event.bytesUp
            row["bytes_down"]! += event.bytesDown
            rows[key] = row
        }
        let miscounted = isMonth ? faults.miscountMonthUser : faults.miscountUser
        var items: [[String: Any]] = []
        for key in rows.keys.sorted() {
            let parts = key.split(separator: " ")
            var item: [String: Any] = ["period_start": String(parts[0]), "type": String(parts[1]), "user_id": userID ?? NSNull()]
            for (name, value) in rows[key]! { item[name] = value }
            if let userID, miscounted == userID, items.isEmpty { item["count"] = rows[key]!["count"]! + 1 }
            items.append(item)
        }
        let data = try! JSONSerialization.data(withJSONObject: ["period": period, "items": items])
        return String(decoding: data, as: UTF8.self)
    }
}

/// Serves `api` on a loopback port while `body` runs with the base URL.
func serving<T: Sendable>(_ api: FakeActivityAPI, _ body: @Sendable (String) async throws -> T) async throws -> T {
    let router = Router()
    router.post("api/v1/events") { request, _ -> Response in
        let body = try await request.body.collect(upTo: 64 << 20)
        let answer = await api.post(Array(body.readableBytesView))
        var headers: HTTPFields = [.contentType: "application/json"]
        if answer.status == 503 { headers[.retryAfter] = "0" }
        return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: answer.json)))
    }
    router.get("api/v1/users/:user/detail") { request, context -> Response in
        let query = request.uri.queryParameters
        guard let user = context.parameters.get("user"), let from = query.get("from").flatMap(Timestamp.parse),
            let to = query.get("to").flatMap(Timestamp.parse)
        else { return Response(status: .badRequest) }
        let limit = query.get("limit").flatMap { Int($0) } ?? 100
        let cursor = query.get("cursor").flatMap { Int($0) } ?? 0
        let json = await api.detail(userID: user, from: from, to: to, limit: limit, cursor: cursor)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
    }
    router.get("api/v1/aggregates") { request, _ -> Response in
        let query = request.uri.queryParameters
        guard let period = query.get("period"), ["day", "month"].contains(period), let from = query.get("from"), let to = query.get("to")
        else { return Response(status: .badRequest) }
        let json = await api.aggregates(period: period, userID: query.get("user_id"), fromDay: from, toDay: to)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
    }
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    var logger = Logger(label: "fake-activity-api")
    logger.logLevel = .warning
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            defer { portContinuation.finish() }
            try await app.runService(gracefulShutdownSignals: [])
            return nil
        }
        var port: Int?
        for await bound in ports {
            port = bound
            break
        }
        guard let port else {
            _ = try await group.next()
            throw CancellationError()
        }
        let result = try await body("http://127.0.0.1:\(port)")
        group.cancelAll()
        return result
    }
}
