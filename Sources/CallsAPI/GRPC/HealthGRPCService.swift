import CallsProto
import GRPCCore
import Logging
import ServiceLifecycle

/// `grpc.health.v1.Health`, the standard health protocol, answered from `/readyz`'s checks: SERVING while the
/// database and the queue answer, NOT_SERVING otherwise. It knows the overall server (`""`) and
/// `calls.v1.Calls`; any other name is NOT_FOUND, as the protocol asks.
struct HealthGRPCService: Grpc_Health_V1_Health.SimpleServiceProtocol {
    typealias ServingStatus = Grpc_Health_V1_HealthCheckResponse.ServingStatus

    let readiness: HealthController
    /// Watches this node holds open at most (each holds a stream; no key is needed to open one):
    /// `CALLS_MAX_WATCHERS`, a cap of their own as the queue status streams have.
    let watches: StreamSlots
    let logger: Logger
    /// How often `Watch` looks again.
    var watchInterval: Duration = .seconds(5)

    static let knownServices: Set<String> = ["", Calls_V1_Calls.descriptor.fullyQualifiedService]

    func check(
        request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext
    ) async throws -> Grpc_Health_V1_HealthCheckResponse {
        guard Self.knownServices.contains(request.service) else {
            throw RPCError(code: .notFound, message: "unknown service '\(request.service)'")
        }
        return Self.response(await status())
    }

    /// The status now and at every change, until the client goes away or the server stops; then NOT_SERVING
    /// last, as the protocol asks of a server shutting down, so the client turns to another one at once. For a
    /// service this server does not know, SERVICE_UNKNOWN, as the protocol asks of `Watch`. Past the cap,
    /// UNAVAILABLE `watchers_exhausted` with `retry-after`, as REST's event streams are refused.
    func watch(
        request: Grpc_Health_V1_HealthCheckRequest, response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
        context: ServerContext
    ) async throws {
        guard let slot = watches.take() else { throw Problem.healthWatchesExhausted(limit: watches.limit).rpcError }
        defer { withExtendedLifetime(slot) {} }
        // Ended by the client, or by a graceful shutdown, which would otherwise wait for it for ever.
        try? await cancellingWithRPC {
            try await cancelWhenGracefulShutdown {
                guard Self.knownServices.contains(request.service) else {
                    try await response.write(Self.response(.serviceUnknown))
                    return try await Task.sleep(for: .seconds(86_400 * 365))
                }
                var last: ServingStatus?
                while true {
                    let current = await status()
                    if current != last {
                        try await response.write(Self.response(current))
                        last = current
                    }
                    try await Task.sleep(for: watchInterval)
                }
            }
        }
        if Task.isShuttingDownGracefully, Self.knownServices.contains(request.service) {
            try? await response.write(Self.response(.notServing))
        }
    }

    private func status() async -> ServingStatus {
        await readiness.readiness(logger: logger).values.allSatisfy { $0 == "ok" } ? .serving : .notServing
    }

    private static func response(_ status: ServingStatus) -> Grpc_Health_V1_HealthCheckResponse {
        var response = Grpc_Health_V1_HealthCheckResponse()
        response.status = status
        return response
    }
}
