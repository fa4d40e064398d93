import CallsCore
import NIOPosix
import Synchronization

/// Redis connections, each with a thread of its own. Every command of a connection runs on its thread, one
/// after another, so a hiredis context is never shared between threads and a blocking command never stalls
/// an event loop or the shared NIO thread pool. A command goes to the connection with the fewest commands in
/// hand, so with several connections one slow command (or one slow connect) holds up only its own.
///
/// With `reconnectBackoff`, a server that cannot be reached (no connection, or no answer within the timeout)
/// makes every command fail at once for that long instead of each waiting out its own timeout in turn: while
/// Redis is unreachable, requests answer 503 quickly.
public final class RedisClient: Sendable {
    private final class Lane: Sendable {
        let thread: NIOThreadPool
        /// Only ever touched on `thread`, which has exactly one thread.
        let connection: RedisConnection
        let inHand = Atomic<Int>(0)

        init(url: RedisURL, socketTimeoutSeconds: Int, relay: RedisTLSRelay?) {
            thread = NIOThreadPool(numberOfThreads: 1)
            thread.start()
            connection = RedisConnection(url: url, socketTimeoutSeconds: socketTimeoutSeconds, relay: relay)
        }
    }

    private let lanes: [Lane]
    /// For `rediss://`, shared by the connections.
    private let relay: RedisTLSRelay?
    private let reconnectBackoff: Duration?
    private let lastFailure = Mutex<(at: ContinuousClock.Instant, message: String)?>(nil)

    public init(url: RedisURL, socketTimeoutSeconds: Int = 5, connections: Int = 1, reconnectBackoff: Duration? = nil) {
        let relay = url.tls ? RedisTLSRelay(url: url) : nil
        self.relay = relay
        lanes = (0..<max(1, connections)).map { _ in Lane(url: url, socketTimeoutSeconds: socketTimeoutSeconds, relay: relay) }
        self.reconnectBackoff = reconnectBackoff
    }

    @discardableResult
    public func command(_ arguments: String...) async throws -> RedisReply {
        try await command(arguments)
    }

    @discardableResult
    public func command(_ arguments: [String]) async throws -> RedisReply {
        try failIfBackingOff()
        let lane = lanes.min { $0.inHand.load(ordering: .relaxed) < $1.inHand.load(ordering: .relaxed) }!
        lane.inHand.add(1, ordering: .relaxed)
        defer { lane.inHand.subtract(1, ordering: .relaxed) }
        return try await lane.thread.runIfActive { [self, connection = lane.connection] in
            // Checked again on the lane: commands queued behind the one that failed fail at once too.
            try failIfBackingOff()
            do {
                return try connection.command(arguments)
            } catch let error as RedisError where error.unreachable {
                // Recorded here on the lane, before it takes the next queued command: recorded by the caller
                // once it resumes, the lane would already be opening a new connection for that command.
                // Only a server that cannot be reached starts the backoff: a connection that broke (Redis
                // restarted, an idle connection dropped) is simply opened again by the next command.
                if reconnectBackoff != nil { lastFailure.withLock { $0 = (.now, error.message) } }
                throw error
            }
        }
    }

    private static let backingOff = "redis unreachable, not retried"

    private func failIfBackingOff() throws(RedisError) {
        guard let reconnectBackoff, let failure = lastFailure.withLock({ $0 }), ContinuousClock.now - failure.at < reconnectBackoff
        else { return }
        throw RedisError(.connection, "\(Self.backingOff) for \(reconnectBackoff) after: \(failure.message)", unreachable: true)
    }

    /// Closes the connections and stops their threads; commands after this fail.
    public func shutdown() async {
        for lane in lanes {
            _ = try? await lane.thread.runIfActive { [connection = lane.connection] in connection.disconnect() }
            try? await lane.thread.shutdownGracefully()
        }
        relay?.shutdown()
    }
}
