import CallsCore
import Logging
import NIOCore
import QueuePanel

/// One status read a second for all of a node's streams, however many screens watch: callers within the
/// second get the last read, callers during a read wait for it, and the event is encoded once per read.
actor PanelStatusFeed {
    struct Snapshot: Sendable {
        var status: PanelStatus
        /// `event: status` with the status, ready to write.
        var event: ByteBuffer
    }

    let view: PanelView
    private var last: (at: ContinuousClock.Instant, snapshot: Snapshot)?
    private var running: Task<Snapshot, any Error>?

    init(view: PanelView) {
        self.view = view
    }

    func snapshot(logger: Logger) async throws -> Snapshot {
        if let last, ContinuousClock.now - last.at < .milliseconds(900) { return last.snapshot }
        if let running { return try await running.value }
        let view = view
        let task = Task {
            let status = try await view.status(logger: logger)
            return Snapshot(status: status, event: ByteBuffer(string: "event: status\ndata: \(status.json())\n\n"))
        }
        running = task
        defer { running = nil }
        let snapshot = try await task.value
        last = (.now, snapshot)
        return snapshot
    }
}
