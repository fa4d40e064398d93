import JobQueue
import Synchronization

/// A `JobPublisher` that remembers what was enqueued, and can be told to fail like an unreachable Redis.
public final class RecordingJobPublisher: JobPublisher {
    private let state = Mutex<(jobs: [Job], failing: Bool, pings: Int)>(([], false, 0))

    public init(failing: Bool = false) {
        state.withLock { $0.failing = failing }
    }

    public var jobs: [Job] { state.withLock { $0.jobs } }
    public var pings: Int { state.withLock { $0.pings } }

    public func setFailing(_ failing: Bool) {
        state.withLock { $0.failing = failing }
    }

    public func enqueue(_ job: Job) async throws {
        try state.withLock { state in
            if state.failing { throw RedisError(.connection, "connection refused (test)") }
            state.jobs.append(job)
        }
    }

    public func withdraw(_ job: Job) async throws {
        try state.withLock { state in
            if state.failing { throw RedisError(.connection, "connection refused (test)") }
            state.jobs.removeAll { $0 == job }
        }
    }

    public func ping() async throws {
        let failing = state.withLock { state in
            state.pings += 1
            return state.failing
        }
        if failing { throw RedisError(.connection, "connection refused (test)") }
    }
}
