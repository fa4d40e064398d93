import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The REST API: `POST /calls` with an `Idempotency-Key`, then `POST /calls/{id}/recording` as multipart,
/// the file streamed from disk.
public struct HTTPCallsTransport: CallsTransport {
    public let api: String
    let key: String
    let client: HTTPClient
    let pool: NIOThreadPool
    /// Bytes read from disk per chunk of an upload: under glibc's 128 KiB mmap threshold (`MemoryTuning`), so
    /// a chunk's memory is reused from the heap instead of mapped and faulted in afresh (BENCHMARKS.md).
    public var chunkSize = 64 * 1024
    /// A create or a look-up that has not answered by then is retried.
    public var requestTimeout: TimeAmount = .seconds(30)

    public init(api: String, key: String, client: HTTPClient, pool: NIOThreadPool = .singleton) {
        self.api = api.hasSuffix("/") ? String(api.dropLast()) : api
        self.key = key
        self.client = client
        self.pool = pool
    }

    /// A client for the transport. A refused connection fails the attempt at once, so the pair's backoff
    /// decides when to try again; an upload stalled for two minutes (nothing read or written) is cut off.
    public static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        configuration.timeout.read = .seconds(120)
        configuration.timeout.write = .seconds(120)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    public func createCall(_ fields: CallFields, idempotencyKey: String) async -> AttemptResult<String> {
        var request = makeRequest(path: "/calls", method: .POST)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: idempotencyKey)
        request.body = .bytes(ByteBuffer(bytes: fields.json()))
        return await send(request, timeout: requestTimeout) { body in
            struct Created: Decodable { var id: String }
            return try? JSONDecoder().decode(Created.self, from: Data(body)).id
        }
    }

    public func uploadRecording(
        callID: String, path: String, fileName: String, sent: @escaping @Sendable (Int64) -> Void
    ) async
        -> AttemptResult<Void>
    {
        guard let size = FileStamp.of(path)?.size else { return .recordingMissing(path) }
        let framing = MultipartFraming(fileName: fileName)
        let file = FileChunks(path: path, length: size, chunkSize: chunkSize, pool: pool, sent: sent)
        let parts = MultipartParts(prefix: ByteBuffer(bytes: framing.prefix), file: file, suffix: ByteBuffer(bytes: framing.suffix))
        var request = makeRequest(path: "/calls/\(callID)/recording", method: .POST)
        request.headers.add(name: "Content-Type", value: framing.contentType)
        request.body = .stream(parts, length: .known(Int64(framing.prefix.count + framing.suffix.count) + size))
        // The read and write timeouts catch a stalled upload; the deadline only bounds one that crawls.
        return await send(request, timeout: .hours(24)) { _ in () }
    }

    public func storedRecordingSHA256(callID: String) async -> AttemptResult<String?> {
        await send(makeRequest(path: "/calls/\(callID)", method: .GET), timeout: requestTimeout, success: Self.recordingSHA256(inCall:))
    }

    /// The `recording.sha256` of a call's JSON: `.some(nil)` when the call holds no recording, nil when the body
    /// is not a call (a 2xx that is no answer to `GET /calls/{id}`, retried).
    static func recordingSHA256(inCall body: [UInt8]) -> String?? {
        struct Call: Decodable {
            struct Recording: Decodable { var sha256: String }
            var recording: Recording?
        }
        guard let call = try? JSONDecoder().decode(Call.self, from: Data(body)) else { return nil }
        return .some(call.recording?.sha256)
    }

    private func makeRequest(path: String, method: HTTPMethod) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: api + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        return request
    }

    private func send<Value>(
        _ request: HTTPClientRequest, timeout: TimeAmount, success: ([UInt8]) -> Value?
    ) async
        -> AttemptResult<Value>
    {
        do {
            let response = try await client.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 1 << 20)
            return .classify(
                status: Int(response.status.code), body: Array(body.readableBytesView),
                retryAfter: RetryAfter.delay(response.headers.first(name: "Retry-After")), success: success)
        } catch is CancellationError {
            return .retry(reason: "cancelled", retryAfter: nil)
        } catch {
            return .retry(reason: "\(error)", retryAfter: nil)
        }
    }
}
