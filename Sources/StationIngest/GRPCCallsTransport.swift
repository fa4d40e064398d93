import CallsProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import NIOPosix

/// The gRPC API (`calls.v1.Calls`): `CreateCall` with the idempotency key, then `UploadRecording` streamed
/// from disk, a chunk per message. The service's refusals come back as the same `AttemptResult`s as over
/// HTTP: the status its REST twin would have answered and a problem document with the stable `code`, so the
/// delivery steps cannot tell the transports apart.
public struct GRPCCallsTransport: CallsTransport {
    let calls: Calls_V1_Calls.Client<HTTP2ClientTransport.Posix>
    let key: String
    let pool: NIOThreadPool
    /// The event loop the connection runs on, when the caller knows it (`connection(to:eventLoopGroup:)` with a
    /// group of one loop): an upload then stays a few messages ahead of it (`EventLoopPacing`).
    let connectionLoop: (any EventLoop)?
    /// Bytes read from disk per message: the most whose message (1-byte tag, 3-byte length) and gRPC frame
    /// (5 bytes) fit 64 KiB, the write buffer grpc-swift-nio-transport's framer keeps instead of allocating
    /// one per message; every allocation stays under glibc's mmap threshold too. 256 KiB messages cost 40 %
    /// more CPU (BENCHMARKS.md, station client).
    public var chunkSize = 65_536 - 9
    /// A create or a look-up that has not answered by then is retried.
    public var requestTimeout: Duration = .seconds(30)

    public init(
        client: GRPCClient<HTTP2ClientTransport.Posix>, key: String, pool: NIOThreadPool = .singleton,
        connectionLoop: (any EventLoop)? = nil
    ) {
        calls = Calls_V1_Calls.Client(wrapping: client)
        self.key = key
        self.pool = pool
        self.connectionLoop = connectionLoop
    }

    /// The client's connection to `host:port` (a `grpc://` prefix is allowed), without TLS, on `eventLoopGroup`.
    public static func connection(
        to address: String, eventLoopGroup: any EventLoopGroup = .singletonMultiThreadedEventLoopGroup
    ) throws -> HTTP2ClientTransport.Posix {
        let (host, port) = try hostAndPort(address)
        var configuration = HTTP2ClientTransport.Posix.Config.defaults
        // Pings while RPCs are open: a half-open connection fails the upload in 40 s, not at its deadline
        // (the HTTP transport's read and write timeouts do the same).
        configuration.connection.keepalive = .init(time: .seconds(30), timeout: .seconds(10), allowWithoutCalls: false)
        return try HTTP2ClientTransport.Posix(
            target: .dns(host: host, port: port), transportSecurity: .plaintext, config: configuration,
            eventLoopGroup: eventLoopGroup)
    }

    /// `host:port`, `[v6]:port` or either after `grpc://`; nothing else (a URL of another scheme, a path).
    public static func hostAndPort(_ address: String) throws(TransportAddressError) -> (String, Int) {
        let target = address.hasPrefix("grpc://") ? String(address.dropFirst("grpc://".count)) : address
        guard let colon = target.lastIndex(of: ":"), let port = Int(target[target.index(after: colon)...]), (1...65535).contains(port)
        else { throw TransportAddressError(address: address) }
        var host = String(target[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: ".-:"))
        guard !host.isEmpty, host.unicodeScalars.allSatisfy({ $0.isASCII && allowed.contains($0) }),
            host.contains(":") == target[..<colon].hasPrefix("[")
        else { throw TransportAddressError(address: address) }
        return (host, port)
    }

    public struct TransportAddressError: Error, CustomStringConvertible {
        public var address: String
        public var description: String { "--api must be host:port for --transport grpc (e.g. calls.example.com:9090), got '\(address)'" }
    }

    private var metadata: Metadata { ["authorization": "Bearer \(key)"] }

    /// Without waiting for a connection: as over HTTP, an unreachable service fails the attempt at once, and
    /// the pair's backoff decides when to try again.
    private func options(timeout: Duration) -> CallOptions {
        var options = CallOptions.defaults
        options.timeout = timeout
        options.waitForReady = false
        return options
    }

    public func createCall(_ fields: CallFields, idempotencyKey: String) async -> AttemptResult<String> {
        var request = Calls_V1_CreateCallRequest()
        request.caller = fields.caller
        request.receiver = fields.receiver
        request.startedAt = .init(date: fields.startedAt)
        request.tags = fields.tags
        if let station = fields.station { request.station = Calls_V1_StationFacts(station, fields.facts) }
        request.idempotencyKey = idempotencyKey
        return await attempt {
            try await calls.createCall(request, metadata: metadata, options: options(timeout: requestTimeout)).call.id
        }
    }

    public func uploadRecording(
        callID: String, path: String, fileName: String, sent: @escaping @Sendable (Int64) -> Void
    ) async
        -> AttemptResult<Void>
    {
        guard let size = FileStamp.of(path)?.size else { return .recordingMissing(path) }
        let file = FileChunks(path: path, length: size, chunkSize: chunkSize, pool: pool, sent: sent)
        var first = Calls_V1_UploadRecordingRequest()
        first.header.callID = callID
        first.header.filename = fileName
        let header = first
        let connectionLoop = self.connectionLoop
        // The deadline only bounds an upload that crawls; keepalive pings find a dead peer.
        return await attempt {
            _ = try await calls.uploadRecording(metadata: metadata, options: options(timeout: .seconds(86_400))) { writer in
                try await writer.write(header)
                var message = Calls_V1_UploadRecordingRequest()
                // An empty file is one empty chunk: the service then judges its (absent) content as it does over
                // HTTP (unsupported_media), where a header alone would be a request without a file.
                if size == 0 {
                    message.chunk = Data()
                    try await writer.write(message)
                }
                var pacing = connectionLoop.map { EventLoopPacing(loop: $0) }
                for try await buffer in file {
                    // The message shares the chunk's bytes; serializing it is their only copy on our side.
                    message.chunk = Data(sharing: buffer)
                    try await writer.write(message)
                    try await pacing?.wrote()
                }
            }
        }
    }

    public func storedRecordingSHA256(callID: String) async -> AttemptResult<String?> {
        var request = Calls_V1_GetCallRequest()
        request.id = callID
        return await attempt {
            let call = try await calls.getCall(request, metadata: metadata, options: options(timeout: requestTimeout))
            return call.hasRecording ? call.recording.sha256 : nil
        }
    }

    private func attempt<Value: Sendable>(_ body: () async throws -> Value) async -> AttemptResult<Value> {
        do {
            return .success(try await body())
        } catch let error as RPCError {
            return Self.result(of: error)
        } catch is CancellationError {
            return .retry(reason: "cancelled", retryAfter: nil)
        } catch {
            return .retry(reason: "\(error)", retryAfter: nil)
        }
    }

    /// A gRPC status as the HTTP answer it stands for: what may succeed later is retried (unavailable,
    /// deadline, 5xx, a rate limit), the rest is the service's refusal with its problem.
    static func result<Value>(of error: RPCError) -> AttemptResult<Value> {
        let code = firstValue("calls-problem-code", in: error.metadata)
        let retryAfter = firstValue("retry-after", in: error.metadata).flatMap(Int.init).map { Duration.seconds($0) }
        let reason = "gRPC \(error.code): \(error.message)"
        switch error.code {
        // UNIMPLEMENTED too, as HTTP's 501 is retried: a service being upgraded may not have the RPC yet.
        case .unavailable, .deadlineExceeded, .cancelled, .aborted, .unknown, .internalError, .dataLoss, .unimplemented:
            return .retry(reason: reason, retryAfter: retryAfter)
        case .resourceExhausted where code != "payload_too_large":
            return .retry(reason: reason, retryAfter: retryAfter)
        default:
            let status = httpStatus(of: error.code)
            let detail = code.map { error.message.hasPrefix("\($0): ") ? String(error.message.dropFirst($0.count + 2)) : error.message }
            return .refused(
                status: status,
                problem: ProblemDocument.service(code: code ?? "grpc_\(error.code)", status: status, detail: detail ?? error.message))
        }
    }

    /// The HTTP status of the REST twin of a refusal (the service maps the other way, `Problem.rpcCode`).
    static func httpStatus(of code: RPCError.Code) -> Int {
        switch code {
        case .invalidArgument: 422
        case .unauthenticated: 401
        case .permissionDenied: 403
        case .notFound: 404
        case .alreadyExists: 409
        case .resourceExhausted: 413
        case .outOfRange: 416
        case .failedPrecondition: 412
        default: 400
        }
    }

    private static func firstValue(_ key: String, in metadata: Metadata) -> String? {
        var values = metadata[stringValues: key].makeIterator()
        return values.next()
    }
}

extension Calls_V1_StationFacts {
    init(_ name: String, _ facts: CallFacts) {
        self.init()
        self.name = name
        if let callID = facts.callID { self.callID = callID }
        if let direction = facts.direction { self.direction = direction }
        if let answeredAt = facts.answeredAt { self.answeredAt = .init(date: answeredAt) }
        if let endedAt = facts.endedAt { self.endedAt = .init(date: endedAt) }
        if let hangupCause = facts.hangupCause { self.hangupCause = hangupCause }
        // Out of int32's range is out of the service's range too: clamped, it is refused as too large.
        if let seconds = facts.durationSeconds { durationSec = Int32(clamping: seconds) }
        if let seconds = facts.billableSeconds { billableSec = Int32(clamping: seconds) }
    }
}
