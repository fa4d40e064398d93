import Foundation
import Synchronization

/// The callbacks one worker process is delivering. Its slots share its lease owner name, so the lease, which
/// lets a worker claim again what it holds (to retry in place after an outage), cannot keep them apart.
final class CallbacksInFlight: Sendable {
    private let calls = Mutex<Set<UUID>>([])

    /// False when another slot is delivering it.
    func start(_ callID: UUID) -> Bool {
        calls.withLock { $0.insert(callID).inserted }
    }

    func end(_ callID: UUID) {
        _ = calls.withLock { $0.remove(callID) }
    }
}
