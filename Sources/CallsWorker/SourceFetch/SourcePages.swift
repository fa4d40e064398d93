import AsyncHTTPClient
import CallsCore
import Foundation
import NIOCore

/// Asks a source for one page of a collection.
protocol SourcePages: Sendable {
    func page(collection: SourceCollection, cursor: Int64, limit: Int) async throws -> Data
}

/// Why a page could not be had; its description is what `last_error` shows.
struct SourceFetchError: Error, CustomStringConvertible {
    var description: String
}

/// `GET {base}/{collection}?cursor=&limit=` over HTTP. Redirects are not followed (the operator named this
/// URL; a 3xx is an error to fix there), and the whole exchange, body included, must end within the timeout.
struct HTTPSourcePages: SourcePages {
    let base: URL
    let timeout: Duration
    let client: HTTPClient
    /// A page larger than this is not read.
    static let maxBodyBytes = 64 << 20

    /// A page is decoded whole (about ten times its size in memory), four fetchers per source at once: its
    /// body may hold up to 128 KiB per item asked for (an item's context or payload is refused past 64 KiB
    /// anyway), 1 MiB at least, never more than `maxBodyBytes`.
    static func bodyLimit(forPageOf limit: Int) -> Int {
        min(maxBodyBytes, max(1 << 20, limit * (128 << 10)))
    }

    static func makeClient(timeout: Duration) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout.connect = .init(timeout)
        configuration.timeout.read = .init(timeout)
        // A refused connection fails this attempt now; the fetcher's backoff decides when to try again.
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    func url(collection: SourceCollection, cursor: Int64, limit: Int) -> String {
        let path = base.absoluteString.hasSuffix("/") ? String(base.absoluteString.dropLast()) : base.absoluteString
        return "\(path)/\(collection.rawValue)?cursor=\(cursor)&limit=\(limit)"
    }

    func page(collection: SourceCollection, cursor: Int64, limit: Int) async throws -> Data {
        let request = HTTPClientRequest(url: url(collection: collection, cursor: cursor, limit: limit))
        let client = client
        let timeout = timeout
        return try await withThrowingTaskGroup(of: Data?.self) { group in
            group.addTask {
                let response = try await client.execute(request, timeout: .init(timeout))
                let status = Int(response.status.code)
                guard (200..<300).contains(status) else {
                    let hint = (300..<400).contains(status) ? " (redirects are not followed)" : ""
                    throw SourceFetchError(description: "HTTP \(status)\(hint)")
                }
                let body = try await response.body.collect(upTo: Self.bodyLimit(forPageOf: limit))
                return Data(body.readableBytesView)
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            let timedOut = SourceFetchError(description: "no complete answer within \(timeout)")
            do {
                guard let first = try await group.next(), let data = first else { throw timedOut }
                return data
            } catch let error as HTTPClientError where [.deadlineExceeded, .readTimeout, .connectTimeout].contains(error) {
                // AsyncHTTPClient's own timeouts, which can fire just before the one above.
                throw timedOut
            }
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        self = .nanoseconds(Int64(duration / .nanoseconds(1)))
    }
}
