import Synchronization

/// Opens once start-up checks (migrations) have passed, so background services do not touch tables that
/// may not exist yet.
final class StartupGate: Sendable {
    private let isOpen = Atomic<Bool>(false)

    func open() {
        isOpen.store(true, ordering: .releasing)
    }

    /// Returns when the gate opens or the task is cancelled (shutdown before start-up finished).
    func wait() async {
        while !isOpen.load(ordering: .acquiring) && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
