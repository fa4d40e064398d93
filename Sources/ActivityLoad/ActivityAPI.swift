import AsyncHTTPClient
import CallsCore
import Foundation
import NIOCore

/// The three operations of the activity API the load generator uses, over one shared HTTP client.
public struct ActivityAPI: Sendable {
    /// What became of one POST of a batch.
    public enum PostOutcome: Sendable, Equatable {
        /// 202: the indexes the server refused, with its reasons, and how many it took for duplicates.
        case accepted(rejected: [Rejection], duplicates: Int)
        /// 408, 429, 5xx or no answer: the batch must be sent again, after `after` seconds when the server said.
        case retry(after: Double?, reason: String)
        /// Any other answer: sending it again would not help.
        case failed(reason: String)
    }

    public struct Rejection: Sendable, Equatable, Decodable {
        public var index: Int
        public var reason: String
    }

    public struct DetailItem: Sendable, Decodable {
        public var eventID: String
        public var userID: String?
        public var type: String?
        public var startedAt: String?
        /// Null and absent alike read as nil.
        public var endedAt: String?
        public var durationSeconds: Int64?
        public var bytesUp: Int64?
        public var bytesDown: Int64?
        public var meta: JSONValue?

        enum CodingKeys: String, CodingKey {
            case eventID = "event_id"
            case userID = "user_id"
            case type
            case startedAt = "started_at"
            case endedAt = "ended_at"
            case durationSeconds = "duration_sec"
            case bytesUp = "bytes_up"
            case bytesDown = "bytes_down"
            case meta
        }
    }

    public struct DetailPage: Sendable, Decodable {
        public var items: [DetailItem]
        public var nextCursor: String?

        enum CodingKeys: String, CodingKey {
            case items
            case nextCursor = "next_cursor"
        }
    }

    public struct AggregateItem: Sendable, Decodable {
        public var periodStart: String
        public var type: String
        public var count: Int64
        public var durationSeconds: Int64
        public var bytesUp: Int64
        public var bytesDown: Int64

        enum CodingKeys: String, CodingKey {
            case periodStart = "period_start"
            case type, count
            case durationSeconds = "duration_sec"
            case bytesUp = "bytes_up"
            case bytesDown = "bytes_down"
        }
    }

    struct AggregatePage: Decodable {
        var items: [AggregateItem]
    }

    struct Accepted: Decodable {
        var duplicates: Int?
        var rejected: [Rejection]?
    }

    public struct ReadError: Error, CustomStringConvertible {
        public var description: String
    }

    public let base: String
    let key: String
    let client: HTTPClient
    let timeout: TimeAmount

    public init(base: String, key: String, client: HTTPClient, timeout: TimeAmount = .seconds(30)) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.key = key
        self.client = client
        self.timeout = timeout
    }

    /// A client for many concurrent requests to one host; a refused connection fails at once so the sender's
    /// backoff decides when to try again.
    public static func makeClient(connections: Int) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(8, connections)
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// `POST /api/v1/events` with `events` as one JSON array.
    public func post(_ events: [GeneratedEvent]) async -> PostOutcome {
        var body = ByteBuffer()
        body.reserveCapacity(events.reduce(2) { $0 + $1.json.utf8.count + 1 })
        body.writeStaticString("[")
        for (index, event) in events.enumerated() {
            if index > 0 { body.writeStaticString(",") }
            body.writeString(event.json)
        }
        body.writeStaticString("]")
        var request = request("/api/v1/events")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(body)
        let response: HTTPClientResponse
        let answer: ByteBuffer
        do {
            response = try await client.execute(request, timeout: timeout)
            answer = try await response.body.collect(upTo: 16 << 20)
        } catch {
            return .retry(after: nil, reason: "no answer: \(error)")
        }
        let status = Int(response.status.code)
        let text = String(buffer: answer)
        switch status {
        case 202, 200:
            guard let accepted = try? JSONDecoder().decode(Accepted.self, from: Data(answer.readableBytesView)) else {
                return .failed(reason: "\(status) with an answer that is not {accepted, duplicates, rejected}: \(text.prefix(200))")
            }
            return .accepted(rejected: accepted.rejected ?? [], duplicates: accepted.duplicates ?? 0)
        case 408, 429, 500...599:
            let after = response.headers.first(name: "Retry-After").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            return .retry(after: after, reason: "\(status) \(text.prefix(200))")
        default:
            return .failed(reason: "\(status) \(text.prefix(200))")
        }
    }

    /// One page of a subscriber's events starting in [from, to) (milliseconds since 1970), newest first.
    public func detail(userID: String, from: Int64, to: Int64, cursor: String?) async throws -> DetailPage {
        let (fromText, toText) = (MillisecondTime.format(from), MillisecondTime.format(to))
        var query = "from=\(Self.escaped(fromText))&to=\(Self.escaped(toText))&limit=1000"
        if let cursor { query += "&cursor=\(Self.escaped(cursor))" }
        return try await get("/api/v1/users/\(Self.escaped(userID))/detail?\(query)", as: DetailPage.self)
    }

    /// A subscriber's (nil: the global) day or month aggregates from `fromDay` to `toDay` (both `YYYY-MM-DD`,
    /// inclusive; for months a day stands for its month).
    public func aggregates(_ period: AggregatePeriod, userID: String?, fromDay: String, toDay: String) async throws -> [AggregateItem] {
        var path = "/api/v1/aggregates?period=\(period.rawValue)&from=\(fromDay)&to=\(toDay)"
        if let userID { path += "&user_id=\(Self.escaped(userID))" }
        return try await get(path, as: AggregatePage.self).items
    }

    func get<T: Decodable>(_ path: String, as: T.Type) async throws -> T {
        let response = try await client.execute(request(path), timeout: timeout)
        let body = try await response.body.collect(upTo: 64 << 20)
        guard response.status.code == 200 else {
            throw ReadError(description: "GET \(path.prefix(120)): \(response.status.code) \(String(buffer: body).prefix(200))")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch {
            throw ReadError(description: "GET \(path.prefix(120)): unexpected answer: \(String(buffer: body).prefix(200))")
        }
    }

    func request(_ path: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: base + path)
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        return request
    }

    static func escaped(_ text: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&+=#/?:")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
