import CallsStore
import JobQueue
import RecordingStorage

/// Tells a dependency that is down (wait and retry in place, spending nothing) from an error no wait will cure.
enum OutageErrors {
    static func isOutage(_ error: any Error) -> Bool {
        if DatabaseErrors.isUnavailable(error) { return true }
        if let error = error as? RedisError { return error.kind == .connection }
        // Storage answers `io` for a disk or bucket it cannot reach; its other kinds are answers.
        if let error = error as? RecordingStoreError { return error.kind == .io }
        return error is CancellationError
    }
}
