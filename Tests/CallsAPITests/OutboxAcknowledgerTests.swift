@testable import CallsAPI
import CallsStore
import Logging
import Synchronization
import Testing

@Suite struct OutboxAcknowledgerTests {
    /// Records each removal; fails them all while `failing` is set.
    final class RecordingOutbox: Outbox {
        struct Refused: Error {}
        let removals = Mutex<[[Int64]]>([])
        let failing: Bool

        init(failing: Bool) {
            self.failing = failing
        }

        func remove(entryIDs: [Int64]) async throws {
            removals.withLock { $0.append(entryIDs) }
            if failing { throw Refused() }
        }

        func relay(
            olderThan minimumAge: Duration, limit: Int, publish: @Sendable @escaping ([String]) async throws -> Void
        ) async throws -> Int {
            0
        }
    }

    @Test func everythingAcknowledgedSinceTheLastFlushGoesInOneRemoval() async {
        let outbox = RecordingOutbox(failing: false)
        let acknowledger = OutboxAcknowledger(outbox: outbox, logger: Logger(label: "test"))
        await acknowledger.flush()
        for entry: Int64 in [3, 1, 2] { acknowledger.acknowledge(entryID: entry) }
        await acknowledger.flush()
        acknowledger.acknowledge(entryID: 4)
        await acknowledger.flush()
        #expect(outbox.removals.withLock { $0 } == [[3, 1, 2], [4]], "an empty flush asks the database nothing")
    }

    @Test func aRefusedRemovalIsDroppedNotRetriedForever() async {
        let outbox = RecordingOutbox(failing: true)
        let acknowledger = OutboxAcknowledger(outbox: outbox, logger: Logger(label: "test"))
        acknowledger.acknowledge(entryID: 7)
        await acknowledger.flush()
        await acknowledger.flush()
        // The relay pushes entry 7's job again later; holding on to it would grow without bound while the
        // database is away.
        #expect(outbox.removals.withLock { $0 } == [[7]])
    }
}
