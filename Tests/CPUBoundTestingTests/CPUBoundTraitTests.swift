import Foundation
import Synchronization
import Testing

@testable import CPUBoundTesting

/// The trait's promises: a CPU-bound test case runs off the cooperative pool, no two run at once, and the gate
/// is given back whatever the test did.
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

    /// Each case suspends while it holds its turn, so without the gate the others would start meanwhile.
    @Test(.cpuBound, arguments: 0..<6)
    func casesRunOneAtATime(index: Int) async throws {
        #expect(Self.currentThreadName() == "cpu-bound-tests")
        Self.running.withLock {
            $0.now += 1
            $0.most = max($0.most, $0.now)
        }
        try await Task.sleep(for: .milliseconds(50))
        Self.running.withLock { $0.now -= 1 }
        #expect(Self.running.withLock { $0.most } == 1)
    }

    /// The trait on a test and again on its suite: the test runs once, on the dedicated thread, instead of
    /// waiting for the gate it already holds.
    @Suite(.cpuBound) struct Twice {
        @Test(.cpuBound) func runsWithoutWaitingForItself() {
            #expect(CPUBoundTraitTests.currentThreadName() == "cpu-bound-tests")
        }
    }

    struct Failure: Error {}

    /// A test that throws gives the gate back: the next one gets in (a kept gate hangs until the time limit).
    @Test(.timeLimit(.minutes(1))) func aThrowingBodyGivesTheGateBack() async throws {
        let gate = CPUBoundGate()
        await #expect(throws: Failure.self) { try await gate.run { throw Failure() } }
        let ranAfter = try await gate.run { true }
        #expect(ranAfter)
    }
}
