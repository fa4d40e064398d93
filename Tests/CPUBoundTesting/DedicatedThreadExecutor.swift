import Foundation

/// A task executor with one thread of its own: jobs run there in the order they came, outside the cooperative
/// pool, so the kernel shares the CPU between them and the pool's threads.
final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    static let cpuBoundTests = DedicatedThreadExecutor(name: "cpu-bound-tests")

    // Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private let condition = NSCondition()

    private init(name: String) {
        // Named from the inside: a Linux thread starts with its creator's name (here a pool thread's).
        Thread { [unowned self] in
            Thread.current.name = name
            serve()
        }.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func serve() -> Never {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
