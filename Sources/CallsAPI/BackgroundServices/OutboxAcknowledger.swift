import CallsStore
import Logging
import ServiceLifecycle
import Synchronization

/// Forgets the outbox entries of jobs already pushed to Redis, all that gathered in one interval with one
/// statement, instead of a statement per upload. Nothing depends on it being prompt or even happening: an
/// entry left behind (the API stopped first, the database refused the delete) is pushed once more by the
/// relay, and the worker skips the duplicate delivery.
final class OutboxAcknowledger: Service, Sendable {
    private let outbox: any Outbox
    private let logger: Logger
    private let interval: Duration
    private let pending = Mutex<[Int64]>([])

    /// `interval` must stay well below the relay's minimum age, or the relay pushes jobs a second time.
    init(outbox: any Outbox, logger: Logger, interval: Duration = .milliseconds(50)) {
        self.outbox = outbox
        self.logger = logger
        self.interval = interval
    }

    /// Notes that the entry's job is in Redis.
    func acknowledge(entryID: Int64) {
        pending.withLock { $0.append(entryID) }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: self.interval)
                await self.flush()
            }
        }
        // The HTTP server stops before this service, so no upload acknowledges anything after this flush.
        await flush()
    }

    /// Removes every entry acknowledged so far.
    func flush() async {
        let entries = pending.withLock { entries in
            defer { entries.removeAll(keepingCapacity: true) }
            return entries
        }
        guard !entries.isEmpty else { return }
        do {
            try await outbox.remove(entryIDs: entries)
        } catch {
            logger.warning(
                "outbox entries not removed; the relay will push their jobs again",
                metadata: ["count": "\(entries.count)", "error": "\(error)"])
        }
    }
}
