import CallsCore
import CallsStore
import Foundation
import JobQueue
import Logging
import ServiceLifecycle

/// The worker's job loop: `concurrency` slots, each taking one job at a time from Redis into this worker's
/// processing list, handling it, and acknowledging it only after its outcome is committed. On graceful
/// shutdown the slots stop taking jobs and finish the one in hand.
public struct WorkerService: Service {
    let worker: String
    let concurrency: Int
    let queue: RedisJobQueue
    let makeFetcher: @Sendable () -> JobFetcher
    let handler: AnalysisJobHandler
    let logger: Logger
    /// How long one BLMOVE waits; bounds how late a slot notices shutdown.
    var fetchTimeoutSeconds = 1.0

    public init(
        worker: String, concurrency: Int, queue: RedisJobQueue, makeFetcher: @escaping @Sendable () -> JobFetcher,
        handler: AnalysisJobHandler, logger: Logger
    ) {
        self.worker = worker
        self.concurrency = concurrency
        self.queue = queue
        self.makeFetcher = makeFetcher
        self.handler = handler
        self.logger = logger
    }

    public func run() async throws {
        logger.info("worker started", metadata: ["worker": "\(worker)", "concurrency": "\(concurrency)"])
        await withTaskGroup(of: Void.self) { group in
            for slot in 0..<concurrency {
                group.addTask { await runSlot(slot) }
            }
        }
        logger.info("worker stopped", metadata: ["worker": "\(worker)"])
    }

    private func runSlot(_ slot: Int) async {
        let fetcher = makeFetcher()
        var backoff = Backoff()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                guard let payload = try await fetcher.fetch(timeoutSeconds: fetchTimeoutSeconds) else { continue }
                backoff.reset()
                await process(payload)
            } catch {
                logger.warning("fetching a job failed", metadata: ["slot": "\(slot)", "error": "\(error)"])
                try? await Task.sleep(for: backoff.next())
            }
        }
        await fetcher.shutdown()
    }

    /// Handles one delivered payload until its outcome is committed, then acknowledges it.
    func process(_ payload: String) async {
        guard let job = Job(payload: payload) else {
            logger.error("dropping a malformed job", metadata: ["payload": "\(payload)"])
            await acknowledge(payload)
            return
        }
        var backoff = Backoff()
        while true {
            let started = ContinuousClock.now
            do {
                let outcome = try await handler.handle(job)
                logger.info("job done", metadata: [
                    "job": "\(job)", "outcome": "\(outcome)", "seconds": "\((ContinuousClock.now - started).seconds)",
                ])
                break
            } catch {
                // Not the recording's fault (database down, storage unreachable): keep the job and try again.
                logger.warning("job interrupted, retrying", metadata: ["job": "\(job)", "error": "\(String(reflecting: error))"])
                if Task.isCancelled { return }
                try? await Task.sleep(for: backoff.next())
            }
        }
        await acknowledge(payload)
    }

    private func acknowledge(_ payload: String) async {
        var backoff = Backoff()
        while !Task.isCancelled {
            do {
                try await queue.acknowledge(payload: payload, worker: worker)
                return
            } catch {
                logger.warning("acknowledging a job failed, retrying", metadata: ["payload": "\(payload)", "error": "\(error)"])
                try? await Task.sleep(for: backoff.next())
            }
        }
    }
}

/// Capped exponential backoff with jitter, so workers recovering from an outage do not retry in lockstep.
struct Backoff {
    var attempt = 0
    var base: Duration = .milliseconds(200)
    var cap: Duration = .seconds(10)

    mutating func next() -> Duration {
        let exponential = base * (1 << min(attempt, 16))
        attempt += 1
        let ceiling = min(exponential, cap)
        return ceiling * Double.random(in: 0.5...1.0)
    }

    mutating func reset() {
        attempt = 0
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
