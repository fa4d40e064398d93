import AsyncHTTPClient
import Foundation
import NIOCore

/// Sends one batch of lines; the tailer decides what to do with the outcome.
public protocol EventsDelivery: Sendable {
    func deliver(_ lines: ArraySlice<TailLine>) async -> DeliveryOutcome
}

/// `POST {api}/events?source=NAME&offset=N`, the lines as `text/plain`.
public struct HTTPEventsDelivery: EventsDelivery {
    public let api: String
    public let source: String
    public let key: String
    public let timeout: Duration
    private let client: HTTPClient

    public init(api: String, source: String, key: String, timeout: Duration = .seconds(30), client: HTTPClient = HTTPEventsDelivery.client)
    {
        self.api = api.hasSuffix("/") ? String(api.dropLast()) : api
        self.source = source
        self.key = key
        self.timeout = timeout
        self.client = client
    }

    /// Shared by every delivery. A refused connection fails the attempt at once, so that the tailer's backoff
    /// decides when to try again (by default AsyncHTTPClient keeps reconnecting until the request's deadline).
    public static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    public func url(offset: Int64) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&+=#")
        let escaped = source.addingPercentEncoding(withAllowedCharacters: allowed) ?? source
        return "\(api)/events?source=\(escaped)&offset=\(offset)"
    }

    public func deliver(_ lines: ArraySlice<TailLine>) async -> DeliveryOutcome {
        guard let first = lines.first else { return .accepted(EventsAnswer(accepted: 0, duplicates: 0, rejected: [])) }
        var body = ByteBuffer()
        body.reserveCapacity(lines.reduce(0) { $0 + $1.bytes.count })
        for line in lines { body.writeBytes(line.bytes) }
        var request = HTTPClientRequest(url: url(offset: first.offset))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "text/plain")
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.body = .bytes(body)
        do {
            let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
            let response = try await client.execute(request, timeout: .nanoseconds(nanoseconds))
            let answer = try await response.body.collect(upTo: 1 << 20)
            return DeliveryOutcome(status: Int(response.status.code), body: Data(answer.readableBytesView))
        } catch {
            return .retry(reason: "\(error)")
        }
    }
}
