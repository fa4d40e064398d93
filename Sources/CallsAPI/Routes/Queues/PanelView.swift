import CallsCore
import EventBus
import Foundation
import Logging
import QueuePanel

/// Puts `GET /queues/status` together: the queues from the store, and how fresh they are from the store's
/// progress and the age of the oldest event still waiting on the stream.
struct PanelView: Sendable {
    let reader: any PanelReader
    /// Seconds the oldest event not yet applied has waited (nil when none waits).
    let backlogAge: @Sendable () async throws -> Double?
    let settings: PanelSettings

    var calendar: PanelCalendar { PanelCalendar(timeZone: settings.timeZone) }

    func status(now: Date = Date(), logger: Logger) async throws -> PanelStatus {
        let queues = try await reader.queueStatuses(now: now, today: calendar.day(of: now))
        let progress = try await reader.progress()
        var backlog: Double?
        var backlogKnown = true
        do {
            backlog = try await backlogAge()
        } catch {
            // The panel cannot vouch for its data without the stream: it says so rather than fail.
            logger.warning("telephony backlog not read", metadata: ["error": "\(error)"])
            backlogKnown = false
        }
        let limit = Double(settings.staleSeconds)
        let stale = !backlogKnown || (progress.lagSeconds ?? 0) > limit || (backlog ?? 0) > limit
        return PanelStatus(
            generatedAt: now, lastEventAt: progress.lastEventAt, lagSeconds: progress.lagSeconds, backlogAgeSeconds: backlog,
            stale: stale, queues: queues)
    }

    /// Seconds since the oldest entry the panel's group has not acknowledged was added; nil when none.
    static func backlogAge(of stream: EventStream, now: Date = Date()) async throws -> Double? {
        guard let id = try await stream.oldestUnacknowledgedID(group: TelephonyStreamKeys.panelGroup) else { return nil }
        return max(0, now.timeIntervalSince(EventStream.addedAt(id: id)))
    }

    func queue(_ name: String, now: Date = Date()) async throws -> QueueDetail? {
        try await reader.queueDetail(name, now: now, today: calendar.day(of: now))
    }

    func agents() async throws -> [AgentDetail] {
        try await reader.agentDetails()
    }
}
