import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// POSTs a JSON array of consumer records to a consumer. The URL is the operator's (`CALLS_CDR_EXPORTS`), so
/// private and loopback addresses are fine; redirects are never followed (a 3xx is a failed attempt).
struct ExportPoster: Sendable {
    /// For the whole attempt: connecting, sending, and the answer's head; reading a refusal's excerpt gets as
    /// long again.
    var timeout: TimeAmount
    var logger: Logger

    func post(_ items: [String], key: String, to url: URL) async throws -> ExportAnswer {
        var body = ByteBuffer()
        body.writeString("[")
        body.writeString(items.joined(separator: ","))
        body.writeString("]")
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = timeout
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "calls-service")
        request.headers.add(name: "Idempotency-Key", value: key)
        request.body = .bytes(body)
        let result: Result<ExportAnswer, any Error>
        do {
            let response = try await client.execute(request, timeout: timeout, logger: logger)
            let status = Int(response.status.code)
            let excerpt = (400..<500).contains(status) ? await Self.excerpt(of: response, within: timeout) : ""
            result = .success(.of(status: status, excerpt: excerpt))
        } catch {
            result = .failure(error)
        }
        // Closes the connection, with whatever is left of the answer unread.
        try? await client.shutdown()
        switch result {
        case .success(let answer):
            return answer
        case .failure(let error):
            if Task.isCancelled { throw error }
            logger.notice("CDR export POST failed", metadata: ["key": "\(key)", "error": "\(error)"])
            return .retryable(Self.describe(CallbackFailure(classifying: error)))
        }
    }

    /// The first `ExportAnswer.excerptLimit` bytes of the answer's body, as text; what arrived by the
    /// deadline if the consumer stalls.
    static func excerpt(of response: HTTPClientResponse, within timeout: TimeAmount) async -> String {
        let limit = ExportAnswer.excerptLimit
        let bytes = await withTaskGroup(of: [UInt8]?.self) { group -> [UInt8] in
            let collected = Collected()
            group.addTask {
                do {
                    for try await chunk in response.body {
                        if await collected.append(chunk, limit: limit) { break }
                    }
                } catch {}
                return await collected.bytes
            }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(timeout.nanoseconds))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if let first { return first }
            return await collected.bytes
        }
        return String(decoding: bytes.prefix(limit), as: UTF8.self)
    }

    private actor Collected {
        var bytes: [UInt8] = []

        /// True once `limit` bytes are in.
        func append(_ chunk: ByteBuffer, limit: Int) -> Bool {
            bytes.append(contentsOf: chunk.readableBytesView.prefix(limit - bytes.count))
            return bytes.count >= limit
        }
    }

    static func describe(_ failure: CallbackFailure) -> String {
        switch failure {
        case .unresolvable: "the consumer's host name did not resolve"
        case .couldNotConnect: "could not connect to the consumer, or the connection broke"
        case .timedOut: "the consumer did not answer in time"
        case .tlsFailed: "the TLS handshake with the consumer failed"
        case .redirected: "the consumer answered with a redirect; redirects are not followed"
        case .rejected, .other: "the POST to the consumer failed"
        }
    }
}
