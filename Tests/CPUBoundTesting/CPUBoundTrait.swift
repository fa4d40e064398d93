import Testing

/// Marks a test that keeps a core busy for seconds with code that never suspends: decoding and encoding audio,
/// generating traffic, parsing thousands of mutated inputs, framing megabytes of multipart.
///
/// Swift Testing starts every test at once on the cooperative pool, which has two threads on a 2-core CI
/// machine. A handful of such tests held both threads for 50-70 s at the start of the suite: every other test
/// waited behind them, and tests with honest deadlines (a key lookup within 5 s, a wait ended "at once") failed.
/// A test with this trait runs on a thread of its own, one such test at a time in the process, so the kernel
/// time-slices it with the pool's threads instead of the pool waiting for it to finish.
///
/// What runs there: the test's body and the child tasks it starts (`async let`, task groups, which inherit the
/// executor preference); not unstructured `Task {}`s, which go to the pool as usual. So a body must never block
/// its thread waiting for one of its own child tasks (a semaphore, `Thread.sleep` until another task acts):
/// they would queue behind it on the same thread.
public struct CPUBoundTrait: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    /// Set while a CPU-bound test case runs: the trait given twice (on a test and its suite) must not wait at the
    /// gate it already holds.
    @TaskLocal static var isInside = false

    /// Each test case separately: a parameterized test's cases take turns like any other CPU-bound test.
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self
    }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        if Self.isInside { return try await function() }
        try await CPUBoundGate.shared.run {
            try await withTaskExecutorPreference(DedicatedThreadExecutor.cpuBoundTests) {
                try await Self.$isInside.withValue(true) { try await function() }
            }
        }
    }
}

extension Trait where Self == CPUBoundTrait {
    /// See `CPUBoundTrait`.
    public static var cpuBound: Self { CPUBoundTrait() }
}
