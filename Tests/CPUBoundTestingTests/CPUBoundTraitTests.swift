import CPUBoundTesting
import Foundation
import Synchronization
import Testing

/// The trait's two promises: a CPU-bound test case runs off the cooperative pool, and no two run at once.
@Suite struct CPUBoundTraitTests {
    /// How many CPU-bound cases of this suite are running now, and the most seen at once.
    static let running = Mutex((now: 0, most: 0))

    /// The name of the thread this synchronous code runs on (`Thread.current` is not for async contexts).
    static func currentThreadName() -> String {
        Thread.current.name ?? ""
    }

    @Test(.cpuBound) func aCPUBoundTestRunsOnTheDedicatedThread() {
        #expect(Self.currentThreadName() == "cpu-bound-tests")
    }

    @Test func anotherTestRunsOnThePool() {
        #expect(Self.currentThreadName() != "cpu-bound-tests")
    }

    /// Each case holds its thread for a while without suspending, as the CPU-bound tests do; started together,
    /// they must still run one after another.
    @Test(.cpuBound, arguments: 0..<6)
    func casesRunOneAtATime(index: Int) {
        Self.running.withLock {
            $0.now += 1
            $0.most = max($0.most, $0.now)
        }
        #expect(Self.currentThreadName() == "cpu-bound-tests")
        Thread.sleep(forTimeInterval: 0.05)
        Self.running.withLock { $0.now -= 1 }
        #expect(Self.running.withLock { $0.most } == 1)
    }
}
