import Foundation

/// What the panel's readers (`/queues/status`, `/queues/{queue}`, `/agents`) ask of its store. Each answer
/// is what the same-named `PanelState` function gives for the stored state.
public protocol PanelReader: Sendable {
    func queueStatuses(now: Date, today: PanelDay) async throws -> [QueueStatus]
    func progress() async throws -> PanelProgress
    func queueDetail(_ queue: String, now: Date, today: PanelDay) async throws -> QueueDetail?
    func agentDetails() async throws -> [AgentDetail]
}
