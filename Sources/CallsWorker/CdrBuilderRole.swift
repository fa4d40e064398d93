import CallsStore
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// The worker's `cdrs` role: builds the CDRs of calls queued in `cdr_pending`, batch after batch while
/// calls are due, then polls. Every worker with the role takes part; each batch locks the calls it takes
/// and skips those another holds, so nodes share the work and each CDR is built by one of them. Stopping
/// cancels the batch in hand, whose transaction then rolls back: its calls stay queued for the next builder.
struct CdrBuilderRole: Service {
    let store: any CdrBuilderStore
    let graceSeconds: Int
    var timing = CdrBuilderTiming()
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown { await buildWhileRunning() }
    }

    func buildWhileRunning() async {
        var backoff = Backoff()
        var lastBacklog = ContinuousClock.now - timing.backlogInterval
        while !Task.isCancelled {
            do {
                let report = try await store.buildDue(limit: timing.batchSize, graceSeconds: graceSeconds)
                backoff.reset()
                Self.count(report)
                if ContinuousClock.now - lastBacklog >= timing.backlogInterval {
                    let backlog = try await store.backlog()
                    Gauge(label: "calls_cdr_pending", dimensions: [("state", "due")]).record(backlog.due)
                    Gauge(label: "calls_cdr_pending", dimensions: [("state", "waiting")]).record(backlog.waiting)
                    lastBacklog = .now
                }
                // A full batch means more may be due: take the next at once.
                if report.taken < timing.batchSize { try? await Task.sleep(for: timing.idlePoll) }
            } catch {
                if Task.isCancelled { return }
                let delay = backoff.next()
                logger.warning("CDR batch not built, retrying", metadata: ["error": "\(error)", "retry_in": "\(delay)"])
                try? await Task.sleep(for: delay)
            }
        }
    }

    static func count(_ report: CdrBuildReport) {
        let outcomes = [
            ("built", report.built), ("rebuilt", report.rebuilt), ("unchanged", report.unchanged),
            ("deferred", report.deferred), ("not_finished", report.notFinished),
        ]
        for (outcome, count) in outcomes where count > 0 {
            Counter(label: "calls_cdr_builds_total", dimensions: [("outcome", outcome)]).increment(by: count)
        }
    }
}

/// The CDR builder's pace.
struct CdrBuilderTiming: Sendable {
    /// Calls one batch (one transaction) takes at most.
    var batchSize = 200
    /// How long the builder waits when nothing more is due: the most a change waits for its CDR.
    var idlePoll: Duration = .seconds(1)
    /// How often the backlog gauges are read (a count over the queue).
    var backlogInterval: Duration = .seconds(10)
}
