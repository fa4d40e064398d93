import CallsStore
import JobQueue
import Logging
import ServiceLifecycle

/// Pushes jobs that were committed but never reached Redis (Redis down during an upload, or the API died
/// between commit and push). Runs in every API instance; row locks keep two relays off the same entry, and a
/// job pushed twice is harmless.
struct OutboxRelay: Service {
    let outbox: any Outbox
    let queue: any JobPublisher
    let logger: Logger
    /// Opened when the database is known to be migrated.
    var startup: StartupGate?
    var interval: Duration = .seconds(1)
    /// Leaves fresh entries to the request that created them.
    var minimumAge: Duration = .seconds(2)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await startup?.wait()
            var delay = interval
            while !Task.isCancelled {
                do {
                    let published = try await relayOnce()
                    if published > 0 { logger.info("relayed jobs from the outbox", metadata: ["count": "\(published)"]) }
                    delay = interval
                } catch {
                    logger.warning("outbox relay failed", metadata: ["error": "\(error)"])
                    delay = min(delay * 2, .seconds(15))
                }
                try? await Task.sleep(for: delay)
            }
        }
    }

    func relayOnce() async throws -> Int {
        try await outbox.relay(olderThan: minimumAge, limit: 500) { payloads in
            for payload in payloads {
                if let job = Job(payload: payload) {
                    try await queue.enqueue(job)
                } else {
                    logger.error("dropping malformed outbox payload", metadata: ["payload": "\(payload)"])
                }
            }
        }
    }
}
