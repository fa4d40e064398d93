import CallsAPI
import CallsProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import HummingbirdTesting
import TestSupport
import Testing

extension Stack {
    /// Runs `body` against the live API with its gRPC server on a free port: the REST test client, and a
    /// gRPC client of `calls.v1.Calls` connected to that port.
    func withAPIAndGRPC(
        _ body: @escaping @Sendable (any TestClientProtocol, GRPCTestClient) async throws -> Void
    ) async throws {
        var configuration = api
        configuration.grpcPort = 0
        let listening = GRPCListeningPort()
        let app = try buildApplication(
            configuration: configuration, migrations: .require, logger: TestServices.logger, grpcListening: listening)
        try await app.test(.live) { client in
            let port = await listening.port
            try await withGRPCClient(
                transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
            ) { grpc in
                try await body(client, GRPCTestClient(client: grpc, address: "127.0.0.1:\(port)"))
            }
        }
    }
}

/// The generated clients over one connection, and the steps tests repeat.
struct GRPCTestClient: Sendable {
    let client: GRPCClient<HTTP2ClientTransport.Posix>
    /// `host:port` of the server.
    let address: String

    var calls: Calls_V1_Calls.Client<HTTP2ClientTransport.Posix> { .init(wrapping: client) }
    var health: Grpc_Health_V1_Health.Client<HTTP2ClientTransport.Posix> { .init(wrapping: client) }

    static func bearer(_ key: String?) -> Metadata {
        guard let key else { return [:] }
        return ["authorization": "Bearer \(key)"]
    }

    static func newCall(caller: String = "+7 900 123-45-67", tags: [String] = []) -> Calls_V1_CreateCallRequest {
        var request = Calls_V1_CreateCallRequest()
        request.caller = caller
        request.receiver = "+44 20 7946 0958"
        request.startedAt = .init(date: Date(timeIntervalSince1970: 1_795_253_400))
        request.tags = tags
        return request
    }

    /// Uploads `content` in chunks of `chunkSize` after the header.
    func upload(
        _ content: Data, toCall callID: String, filename: String = "dialogue.wav", chunkSize: Int = 7_000, key: String? = nil
    ) async throws -> Calls_V1_UploadRecordingResponse {
        try await calls.uploadRecording(metadata: Self.bearer(key)) { writer in
            var header = Calls_V1_UploadRecordingRequest()
            header.header.callID = callID
            header.header.filename = filename
            try await writer.write(header)
            var offset = 0
            while offset < content.count {
                var chunk = Calls_V1_UploadRecordingRequest()
                chunk.chunk = content.subdata(in: offset..<min(offset + chunkSize, content.count))
                try await writer.write(chunk)
                offset += chunkSize
            }
        }
    }

    func get(_ id: String, key: String? = nil) async throws -> Calls_V1_Call {
        var request = Calls_V1_GetCallRequest()
        request.id = id
        return try await calls.getCall(request, metadata: Self.bearer(key))
    }
}

/// Expects `body` to fail with `code` and, when given, the problem code REST would answer with, in the message
/// and the trailing metadata.
func expectRPCError(
    _ code: RPCError.Code, problem: String? = nil, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("expected \(code), the call succeeded", sourceLocation: sourceLocation)
    } catch let error as RPCError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        if let problem {
            #expect(error.message.hasPrefix("\(problem): "), "\(error)", sourceLocation: sourceLocation)
            #expect(Array(error.metadata[stringValues: "calls-problem-code"]) == [problem], "\(error)", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("expected an RPCError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}
