import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import ServiceLifecycle
import Synchronization

/// The gRPC server as one of the application's services: it listens while the application runs, and on a
/// graceful shutdown stops taking RPCs and lets the running ones finish (a `WatchCall` ends at once, as an
/// event stream does).
struct GRPCServerService: Service {
    let server: GRPCServer<HTTP2ServerTransport.Posix>
    let listening: GRPCListeningPort?
    let logger: Logger

    func run() async throws {
        let server = self.server
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await server.serve() }
                let address = try await server.transport.listeningAddress
                let port = address.ipv4?.port ?? address.ipv6?.port
                logger.info("gRPC server listening", metadata: ["address": "\(address)"])
                if let port { listening?.report(port) }
            }
        } onGracefulShutdown: {
            server.beginGracefulShutdown()
        }
    }

    /// Where to listen: the HTTP host (`localhost` as IPv4 loopback, which is where the HTTP server's
    /// `localhost` lands first) and `port`.
    static func address(host: String, port: Int) -> SocketAddress {
        if host.contains(":") { return .ipv6(host: host, port: port) }
        return .ipv4(host: host == "localhost" ? "127.0.0.1" : host, port: port)
    }
}

/// The port the gRPC server was bound to, for tests that ask for any free one (port 0).
public final class GRPCListeningPort: Sendable {
    private let state = Mutex<(port: Int?, waiters: [CheckedContinuation<Int, Never>])>((nil, []))

    public init() {}

    func report(_ port: Int) {
        let waiters = state.withLock { state in
            state.port = port
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    /// Waits until the server listens.
    public var port: Int {
        get async {
            await withCheckedContinuation { continuation in
                let known = state.withLock { state -> Int? in
                    if let port = state.port { return port }
                    state.waiters.append(continuation)
                    return nil
                }
                if let known { continuation.resume(returning: known) }
            }
        }
    }
}
