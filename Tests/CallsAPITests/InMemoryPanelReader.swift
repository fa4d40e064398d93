import Foundation
import QueuePanel
import Synchronization

/// The panel's reads over a `PanelState` in memory: the pure definitions the routes present.
final class InMemoryPanelReader: PanelReader, Sendable {
    private let contents: Mutex<(state: PanelState, progress: PanelProgress)>

    init(state: PanelState = PanelState(), progress: PanelProgress = PanelProgress()) {
        contents = Mutex((state, progress))
    }

    func set(_ state: PanelState, progress: PanelProgress) {
        contents.withLock { $0 = (state, progress) }
    }

    func queueStatuses(now: Date, today: PanelDay) async throws -> [QueueStatus] {
        contents.withLock { $0.state.queueStatuses(now: now, today: today) }
    }

    func progress() async throws -> PanelProgress {
        contents.withLock { $0.progress }
    }

    func queueDetail(_ queue: String, now: Date, today: PanelDay) async throws -> QueueDetail? {
        contents.withLock { $0.state.queueDetail(queue, now: now, today: today) }
    }

    func agentDetails() async throws -> [AgentDetail] {
        contents.withLock { $0.state.agentDetails() }
    }
}
