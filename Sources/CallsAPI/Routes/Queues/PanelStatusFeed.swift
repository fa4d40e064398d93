import Logging
import QueuePanel

/// One status read a second for all of a node's streams, however many screens watch.
actor PanelStatusFeed {
    let view: PanelView
    private var last: (at: ContinuousClock.Instant, status: PanelStatus)?

    init(view: PanelView) {
        self.view = view
    }

    func status(logger: Logger) async throws -> PanelStatus {
        if let last, ContinuousClock.now - last.at < .milliseconds(900) { return last.status }
        let status = try await view.status(logger: logger)
        last = (.now, status)
        return status
    }
}
