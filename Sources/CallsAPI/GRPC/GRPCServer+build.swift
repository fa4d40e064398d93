import GRPCCore
import GRPCNIOTransportHTTP2
import Logging

/// The gRPC server over the REST API's dependencies: `calls.v1.Calls` behind the API key check, and the
/// standard health service.
func makeGRPCServer<Calls>(
    _ dependencies: APIDependencies<Calls>, address: SocketAddress, publicURL: String?, listening: GRPCListeningPort?,
    logger: Logger
) -> GRPCServerService {
    let calls = CallsGRPCService(
        calls: dependencies.calls, intake: dependencies.recordingIntake,
        watch: CallWatch(calls: dependencies.calls, hub: dependencies.statusChanges, streamLifetime: dependencies.eventStreamLifetime),
        links: RecordingLinks(
            calls: dependencies.calls, store: dependencies.store, signer: dependencies.downloads.signer,
            urlLifetimeSeconds: dependencies.downloads.urlLifetimeSeconds),
        queue: dependencies.queue, store: dependencies.store, callbacks: dependencies.callbacks,
        // No request headers to trust here: the configured public URL, else a path (REST's relative case).
        downloadBase: publicURL ?? "", logger: logger)
    let health = HealthGRPCService(readiness: dependencies.makeHealthController(), logger: logger)
    let server = GRPCServer(
        transport: .http2NIOPosix(address: address, transportSecurity: .plaintext),
        services: [calls, health],
        interceptors: [APIKeyInterceptor(access: dependencies.access, logger: logger)])
    return GRPCServerService(server: server, listening: listening, logger: logger)
}
