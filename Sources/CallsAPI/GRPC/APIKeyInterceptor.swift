import CallsCore
import CallsProto
import GRPCCore
import Logging

/// Admits each `calls.v1.Calls` RPC as REST admits its twin: the same API keys (`authorization: Bearer …`
/// metadata), roles and rate limit (`AccessControl.admit`). Other services (health) need no key, as
/// `/healthz` does not. A method this table does not know needs `admin`, so a new RPC is closed until placed.
struct APIKeyInterceptor: ServerInterceptor {
    let access: AccessControl
    let logger: Logger

    static let roles: [MethodDescriptor: APIRole] = [
        Calls_V1_Calls.Method.CreateCall.descriptor: .write,
        Calls_V1_Calls.Method.UploadRecording.descriptor: .write,
        Calls_V1_Calls.Method.DeleteCall.descriptor: .write,
        Calls_V1_Calls.Method.GetCall.descriptor: .read,
        Calls_V1_Calls.Method.ListCalls.descriptor: .read,
        Calls_V1_Calls.Method.WatchCall.descriptor: .read,
        Calls_V1_Calls.Method.GetDownloadURL.descriptor: .read,
        Calls_V1_Calls.Method.StreamRecording.descriptor: .read,
    ]

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        guard context.descriptor.service == Calls_V1_Calls.descriptor else { return try await next(request, context) }
        let role = Self.roles[context.descriptor] ?? .admin
        do {
            _ = try await access.admit(
                authorization: Self.firstValue(of: "authorization", in: request.metadata),
                client: Self.clientAddress(context.remotePeer), role: role, logger: logger)
        } catch {
            throw Problem.answering(error, logger: logger).rpcError
        }
        return try await next(request, context)
    }

    static func firstValue(of key: String, in metadata: Metadata) -> String? {
        var values = metadata[stringValues: key].makeIterator()
        return values.next()
    }

    /// The address part of a peer such as `ipv4:127.0.0.1:5123` or `ipv6:[::1]:5123`, for the key lookup
    /// throttle, which counts per client address as REST does.
    static func clientAddress(_ peer: String) -> String {
        if peer.hasPrefix("ipv6:["), let close = peer.firstIndex(of: "]") {
            return String(peer[peer.index(peer.startIndex, offsetBy: 6)..<close])
        }
        if peer.hasPrefix("ipv4:") {
            let address = peer.dropFirst(5)
            return String(address.split(separator: ":").first ?? address)
        }
        return peer
    }
}
