import EventBus
import Foundation
import Logging
import Metrics
import QueuePanel
import ServiceLifecycle

/// The worker's `panel` role. Every worker with the role competes for one lease; its holder applies the
/// telephony stream to the panel (events of one call must apply in order, so one consumer reads at a time),
/// sweeps lost callers and calls, and trims the stream. The others stand by and take over within a lease's
/// time when the holder dies. A new holder first takes a fence token, so a holder that paused past its
/// lease can no longer commit, and then takes over whatever its predecessor left unacknowledged.
struct PanelRole: Service {
    let consumer: PanelConsumer
    let lease: StreamLease
    let store: any PanelStore
    let timing: PanelTiming
    let limits: GhostLimits
    /// Received events older than this are forgotten (a copy sent after that would apply again).
    var eventRetention: Duration = .seconds(7 * 86_400)
    let logger: Logger

    var owner: String { consumer.consumer }

    func run() async throws {
        await cancelWhenGracefulShutdown { await compete() }
        // A clean stop hands over at once instead of after the lease's time.
        try? await lease.release(owner: owner)
    }

    func compete() async {
        var backoff = Backoff()
        while !Task.isCancelled {
            do {
                guard try await lease.acquire(owner: owner, ttl: timing.leaseTTL) else {
                    try? await Task.sleep(for: timing.standbyPoll)
                    continue
                }
                let fence = try await store.takeFence()
                logger.notice("applying the telephony stream to the panel", metadata: ["fence": "\(fence)"])
                Gauge(label: "calls_panel_leader").record(1)
                defer { Gauge(label: "calls_panel_leader").record(0) }
                try await lead(fence: fence)
                backoff.reset()
            } catch {
                if Task.isCancelled { return }
                let delay = backoff.next()
                logger.warning("panel role failed, competing again", metadata: ["error": "\(error)", "retry_in": "\(delay)"])
                try? await Task.sleep(for: delay)
            }
        }
    }

    /// Applies batches while the lease holds; returns when it is lost or the fence is taken by another.
    func lead(fence: Int64) async throws {
        try await consumer.stream.createGroup(PanelConsumer.group)
        var phase = StreamConsumerPhase()
        var backoff = Backoff(cap: timing.leaseTTL / 3)
        var lastSweep = ContinuousClock.now - timing.sweepInterval
        var lastTrim = ContinuousClock.now
        var forgetting = false
        while !Task.isCancelled {
            guard try await lease.renew(owner: owner, ttl: timing.leaseTTL) else {
                logger.warning("lost the panel lease", metadata: ["fence": "\(fence)"])
                return
            }
            do {
                try await consumer.step(&phase, block: timing.readBlock, fence: fence)
                backoff.reset()
            } catch let fenced as PanelFenced {
                logger.warning("another worker took over the panel", metadata: ["fence": "\(fenced.fence)"])
                return
            } catch {
                // Stopping: the batch stays pending for whoever holds the lease next.
                if Task.isCancelled { return }
                // PostgreSQL or Redis away: keep the lease (the backoff is shorter than it) and retry the batch.
                phase.failed()
                let delay = backoff.next()
                logger.warning("panel batch not applied, retrying", metadata: ["error": "\(error)", "retry_in": "\(delay)"])
                try? await Task.sleep(for: delay)
                continue
            }
            if ContinuousClock.now - lastSweep >= timing.sweepInterval {
                try await sweep(fence: fence)
                forgetting = true
                lastSweep = .now
            }
            // One bounded delete per round, so the lease is renewed and batches applied in between.
            if forgetting { forgetting = try await forgetOldEvents() }
            if ContinuousClock.now - lastTrim >= timing.trimInterval {
                try await trim()
                lastTrim = .now
            }
        }
    }

    /// Silence is measured up to the events applied so far: while a backlog waits on the stream (after an
    /// outage, or a takeover), the sweep's clock stands where the backlog starts, so no caller whose next
    /// events are still waiting is taken for lost.
    func sweep(fence: Int64, now: Date = Date()) async throws {
        let backlog = try await consumer.stream.oldestUnacknowledgedID(group: PanelConsumer.group)
        let appliedUpTo = backlog.map { min(now, EventStream.addedAt(id: $0)) } ?? now
        let resets = try await store.sweepGhosts(now: appliedUpTo, limits: limits, fence: fence)
        for reset in resets {
            logger.notice("panel state without events for too long ended", metadata: ["reset": "\(reset)", "kind": "\(reset.kind)"])
            Counter(label: "calls_panel_ghost_resets_total", dimensions: [("kind", reset.kind)]).increment()
        }
    }

    static let forgetRound = 5000

    /// One bounded delete of events past retention; whether more are left.
    func forgetOldEvents(now: Date = Date()) async throws -> Bool {
        let cutoff = now.addingTimeInterval(-Double(eventRetention.components.seconds))
        let forgotten = try await store.forgetEvents(appliedBefore: cutoff, limit: Self.forgetRound)
        if forgotten > 0 { logger.debug("forgot received telephony events past retention", metadata: ["events": "\(forgotten)"]) }
        return forgotten == Self.forgetRound
    }

    /// Only what every group acknowledged goes, so a group that is behind (or a new one) loses nothing.
    func trim() async throws {
        let trimmed = try await consumer.stream.trimAcknowledged()
        if trimmed > 0 { logger.debug("telephony stream trimmed", metadata: ["entries": "\(trimmed)"]) }
    }
}

/// The panel role's clock.
struct PanelTiming: Sendable {
    /// A holder silent this long loses the lease to another worker.
    var leaseTTL: Duration
    /// How often a standing-by worker tries for the lease.
    var standbyPoll: Duration = .seconds(1)
    /// How long a read waits for new entries: also the longest between two renewals while idle.
    var readBlock: Duration = .seconds(1)
    var sweepInterval: Duration = .seconds(60)
    var trimInterval: Duration = .seconds(10)

    init(leaseTTL: Duration) {
        self.leaseTTL = leaseTTL
        standbyPoll = min(standbyPoll, leaseTTL / 3)
        readBlock = min(readBlock, leaseTTL / 3)
    }
}
