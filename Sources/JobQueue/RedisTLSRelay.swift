import CallsCore
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// TLS for `rediss://` although hiredis has none here (Debian 12 ships hiredis 0.14, built without it):
/// hiredis connects to a Unix socket of this relay, in a directory only this user may enter, and the relay
/// carries each connection to the server over TLS, checking the server's certificate for the URL's host
/// against the system's roots or the URL's `cacert`. It starts on first use, on a connection's own thread.
final class RedisTLSRelay: Sendable {
    private struct Running {
        var socketPath: String
        var directory: String
        var accepting: Task<Void, Never>
    }

    private let url: RedisURL
    private let running = Mutex<Running?>(nil)
    private let lastFailure = Mutex<String?>(nil)

    init(url: RedisURL) {
        self.url = url
    }

    /// Where hiredis connects; starts the relay the first time. Blocks the calling thread until it listens,
    /// so it must be a connection's own thread, never the cooperative pool or an event loop.
    func socketPath() throws(RedisError) -> String {
        if let path = running.withLock({ $0?.socketPath }) { return path }
        let started: Running
        do {
            started = try start()
        } catch {
            throw RedisError(.connection, "cannot start the TLS relay to \(url.host):\(url.port): \(error)")
        }
        let kept = running.withLock { running -> Running? in
            if let running { return running }
            running = started
            return nil
        }
        if let kept {
            Self.stop(started)
            return kept.socketPath
        }
        return started.socketPath
    }

    /// Why the relay's last connection to the server failed (a refused connection, a certificate that does
    /// not check out), for the error hiredis reports, which only sees its socket close.
    var lastConnectionFailure: String? { lastFailure.withLock { $0 } }

    func shutdown() {
        if let stopped = running.withLock({ running -> Running? in
            defer { running = nil }
            return running
        }) {
            Self.stop(stopped)
        }
    }

    private static func stop(_ running: Running) {
        running.accepting.cancel()
        try? FileManager.default.removeItem(atPath: running.directory)
    }

    private func start() throws -> Running {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caCertificate = url.caCertificate { configuration.trustRoots = .file(caCertificate) }
        let context = try NIOSSLContext(configuration: configuration)
        var template = Array((NSTemporaryDirectory() + "/calls-redis-tls-XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else { throw RedisError(.connection, "cannot create the relay's directory") }
        let directory = String(cString: created)
        let socketPath = directory + "/redis.sock"
        let listening = DispatchSemaphore(value: 0)
        let outcome = Mutex<(any Error)?>(nil)
        let accepting = Task { [self] in
            do {
                let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .bind(unixDomainSocketPath: socketPath, cleanupExistingSocketFile: true) { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                        }
                    }
                listening.signal()
                try await withThrowingDiscardingTaskGroup { group in
                    try await server.executeThenClose { clients in
                        for try await client in clients {
                            group.addTask { await self.carry(client, context: context) }
                        }
                    }
                }
            } catch {
                outcome.withLock { $0 = $0 ?? error }
                listening.signal()
            }
        }
        listening.wait()
        if let error = outcome.withLock({ $0 }) {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        return Running(socketPath: socketPath, directory: directory, accepting: accepting)
    }

    /// Copies bytes both ways between hiredis' connection and a TLS connection to the server, until either
    /// side closes. Why the server could not be reached, or the relay broke (a certificate that does not
    /// check out shows only at the first write), is remembered before hiredis' side is closed, so the error
    /// hiredis then reports can say it.
    private func carry(_ client: NIOAsyncChannel<ByteBuffer, ByteBuffer>, context: NIOSSLContext) async {
        let url = self.url
        let upstream: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            upstream = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(5))
                .connect(host: url.host, port: url.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // An address has no name to send or check; NIOSSL then checks the certificate's IP entries.
                        let name = InternetAddressSpelling.isAddress(url.host) ? nil : url.host
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: name))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            remember(error)
            try? await client.channel.close()
            return
        }
        try? await client.executeThenClose { fromClient, toClient in
            try await upstream.executeThenClose { fromServer, toServer in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await self.pump(fromClient, into: toServer) }
                    group.addTask { try await self.pump(fromServer, into: toClient) }
                    // Either side closing ends the relay of both.
                    try await group.next()
                    group.cancelAll()
                }
            }
        }
    }

    private func pump(
        _ source: NIOAsyncChannelInboundStream<ByteBuffer>, into sink: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async throws {
        do {
            for try await bytes in source { try await sink.write(bytes) }
        } catch {
            remember(error)
            throw error
        }
    }

    private func remember(_ error: any Error) {
        guard !(error is CancellationError) else { return }
        lastFailure.withLock { $0 = "\(error)" }
    }
}

/// Whether a host is an address literal rather than a name.
enum InternetAddressSpelling {
    static func isAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
