import CallsCore
import NIOPosix

/// A Redis connection with a thread of its own. Every command runs on that thread, one after another, so the
/// hiredis context is never shared between threads and a blocking command never stalls an event loop or the
/// shared NIO thread pool.
public final class RedisClient: Sendable {
    private let thread: NIOThreadPool
    /// Only ever touched on `thread`, which has exactly one thread.
    private let connection: RedisConnection

    public init(url: RedisURL, socketTimeoutSeconds: Int = 5) {
        thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        connection = RedisConnection(url: url, socketTimeoutSeconds: socketTimeoutSeconds)
    }

    @discardableResult
    public func command(_ arguments: String...) async throws -> RedisReply {
        try await command(arguments)
    }

    @discardableResult
    public func command(_ arguments: [String]) async throws -> RedisReply {
        try await thread.runIfActive { [connection] in try connection.command(arguments) }
    }

    /// Closes the connection and stops the thread; commands after this fail.
    public func shutdown() async {
        _ = try? await thread.runIfActive { [connection] in connection.disconnect() }
        try? await thread.shutdownGracefully()
    }
}
