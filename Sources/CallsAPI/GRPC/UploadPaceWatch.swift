import Synchronization

/// Holds a gRPC upload to REST's minimum rate (`UploadPace`, `CALLS_UPLOAD_MIN_BYTES_PER_SECOND`). REST checks
/// the rate as body bytes arrive and leaves a body that stops altogether to the HTTP idle timeout; an HTTP/2
/// stream has no such timeout (the connection's pings keep it alive), so here a timer checks: it wakes when
/// the bytes received so far become too few for the time passed, and cuts the upload off unless more came.
final class UploadPaceWatch: Sendable {
    private enum Phase {
        /// The header is being checked; the bytes have not started to count.
        case waiting
        case receiving(since: ContinuousClock.Instant, bytes: Int64)
        case received
        case tooSlow
    }

    let pace: UploadPace
    private let phase = Mutex(Phase.waiting)

    init(pace: UploadPace) {
        self.pace = pace
    }

    /// From here on the pace applies, as it does from the first body byte for REST.
    func begin() {
        phase.withLock { phase in
            if case .waiting = phase { phase = .receiving(since: .now, bytes: 0) }
        }
    }

    func add(_ count: Int) {
        phase.withLock { phase in
            if case .receiving(let since, let bytes) = phase { phase = .receiving(since: since, bytes: bytes + Int64(count)) }
        }
    }

    /// Every byte has arrived; throws if the watch gave up on the upload first, whose stream then only seemed
    /// to end because it was cut off.
    func end() throws {
        let gaveUp = phase.withLock { phase in
            if case .tooSlow = phase { return true }
            phase = .received
            return false
        }
        if gaveUp { throw CancellationError() }
    }

    var gaveUp: Bool {
        phase.withLock { phase in
            if case .tooSlow = phase { return true }
            return false
        }
    }

    /// Runs `upload`, cancelling it when its bytes arrive too slowly; it then fails with `upload_too_slow`,
    /// whatever its cancellation made it throw. An upload that completed is never turned into a failure.
    func enforce<Value: Sendable>(_ upload: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let task = Task { try await upload() }
        let outcome = await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { timer in
                timer.addTask { await self.cancelWhenTooSlow(task) }
                let outcome = await task.result
                timer.cancelAll()
                return outcome
            }
        } onCancel: {
            task.cancel()
        }
        if case .failure = outcome, gaveUp { throw Problem.uploadTooSlow(bytesPerSecond: pace.bytesPerSecond) }
        return try outcome.get()
    }

    private func cancelWhenTooSlow(_ task: Task<some Sendable, any Error>) async {
        while let next = nextCheck() {
            do {
                try await Task.sleep(until: next, clock: .continuous)
            } catch {
                return
            }
        }
        if gaveUp { task.cancel() }
    }

    /// When to look again; nil once there is nothing more to watch (all received, or given up).
    private func nextCheck() -> ContinuousClock.Instant? {
        phase.withLock { phase in
            switch phase {
            case .waiting:
                return ContinuousClock.now + pace.grace
            case .receiving(let since, let bytes):
                guard let allowed = pace.timeAllowed(for: bytes) else { return nil }
                if pace.isTooSlow(bytes: bytes, elapsed: ContinuousClock.now - since) {
                    phase = .tooSlow
                    return nil
                }
                // Just past the moment these bytes become too few: `isTooSlow` is strict.
                return since + allowed + .milliseconds(10)
            case .received, .tooSlow:
                return nil
            }
        }
    }
}
