import GRPCCore
import GRPCNIOTransportHTTP2
import Logging

/// HTTP/2's defaults (a 64 KiB window, 16 KiB frames) hold an upload to a window update per 64 KiB: on
/// loopback a 230 MiB upload took 6 times REST's time, 2.9 times with these (BENCHMARKS.md has the rest). The
/// window is also the most an upload can have in flight, so it bounds the memory one stream holds.
let transportConfiguration: HTTP2ServerTransport.Posix.Config = {
    var configuration = HTTP2ServerTransport.Posix.Config.defaults
    configuration.http2.targetWindowSize = GRPCTransportLimits.windowBytes
    configuration.http2.maxFrameSize = GRPCTransportLimits.frameBytes
    configuration.rpc.maxRequestPayloadSize = GRPCTransportLimits.messageBytes
    configuration.http2.maxConcurrentStreams = GRPCTransportLimits.streamsPerConnection
    // Part of what REST's idle timeout does for HTTP/1 (the rest, a stalled upload, is `UploadPaceWatch`'s): a
    // connection without RPCs is closed, a peer that stops answering pings is dropped (its RPCs cancelled, a
    // WatchCall's place given back), and a draining connection (graceful shutdown) is closed after the grace
    // time instead of waiting for a stalled upload.
    configuration.connection.maxIdleTime = GRPCTransportLimits.idleConnection
    configuration.connection.maxGraceTime = GRPCTransportLimits.grace
    configuration.connection.keepalive.time = GRPCTransportLimits.keepaliveInterval
    configuration.connection.keepalive.timeout = GRPCTransportLimits.keepaliveTimeout
    return configuration
}()

enum GRPCTransportLimits {
    static let windowBytes = 4 << 20
    static let frameBytes = 1 << 20
    /// The largest message: an upload chunk of 4 MiB plus its framing.
    static let messageBytes = (4 << 20) + 1024
    /// RPCs one connection may have open at once (each may hold a window's worth of upload).
    static let streamsPerConnection = 100
    static let idleConnection: Duration = .seconds(300)
    static let grace: Duration = .seconds(30)
    static let keepaliveInterval: Duration = .seconds(30)
    static let keepaliveTimeout: Duration = .seconds(10)
}

/// The gRPC server over the REST API's dependencies: `calls.v1.Calls` behind the API key check, and the
/// standard health service with at most `maxHealthWatches` watches open.
func makeGRPCServer<Calls>(
    _ dependencies: APIDependencies<Calls>, address: SocketAddress, publicURL: String?, maxHealthWatches: Int,
    listening: GRPCListeningPort?, logger: Logger
) -> GRPCServerService {
    let calls = CallsGRPCService(
        calls: dependencies.calls, intake: dependencies.recordingIntake,
        watch: CallWatch(calls: dependencies.calls, hub: dependencies.statusChanges, streamLifetime: dependencies.eventStreamLifetime),
        links: RecordingLinks(
            calls: dependencies.calls, store: dependencies.store, signer: dependencies.downloads.signer,
            urlLifetimeSeconds: dependencies.downloads.urlLifetimeSeconds),
        queue: dependencies.queue, store: dependencies.store, callbacks: dependencies.callbacks,
        uploadPace: dependencies.uploadPace,
        // No request headers to trust here: the configured public URL, else a path (REST's relative case).
        downloadBase: publicURL ?? "", logger: logger)
    let health = HealthGRPCService(
        readiness: dependencies.makeHealthController(), watches: StreamSlots(limit: maxHealthWatches), logger: logger)
    let server = GRPCServer(
        transport: .http2NIOPosix(address: address, transportSecurity: .plaintext, config: transportConfiguration),
        services: [CallsGRPCRoutes(service: calls), health],
        interceptors: [APIKeyInterceptor(access: dependencies.access, logger: logger)])
    return GRPCServerService(server: server, listening: listening, logger: logger)
}
