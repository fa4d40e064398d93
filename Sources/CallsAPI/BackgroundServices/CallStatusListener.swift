import Logging
import PostgresNIO
import ServiceLifecycle

/// Holds one PostgreSQL connection in `LISTEN calls_status` and hands every notification to the hub. When
/// the connection drops it reconnects, and wakes every waiter, since changes may have gone unseen meanwhile.
struct CallStatusListener: Service {
    static let channel = "calls_status"

    let postgres: PostgresClient
    let hub: CallStatusHub
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var backoff = Duration.milliseconds(100)
            while !Task.isCancelled {
                do {
                    try await postgres.withConnection { connection in
                        try await connection.listen(on: Self.channel) { notifications in
                            hub.publishToAll()
                            backoff = .milliseconds(100)
                            for try await notification in notifications { hub.publish(payload: notification.payload) }
                        }
                    }
                } catch  where !Task.isCancelled {
                    logger.warning("listening for status changes failed; retrying", metadata: ["error": "\(error)"])
                } catch {}
                hub.publishToAll()
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }
}
