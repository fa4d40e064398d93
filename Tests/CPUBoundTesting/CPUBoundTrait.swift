import Testing

/// Marks a test that keeps a core busy for seconds with code that never suspends: decoding and encoding audio,
/// generating traffic, parsing thousands of mutated inputs, framing megabytes of multipart.
///
/// Swift Testing starts every test at once on the cooperative pool, which has two threads on a 2-core CI
/// machine. A handful of such tests held both threads for 50-70 s at the start of the suite: every other test
/// waited behind them, and tests with honest deadlines (a key lookup within 5 s, a wait ended "at once") failed.
/// A test with this trait runs on a thread of its own, one such test at a time in the process, so the kernel
/// time-slices it with the pool and the other core stays with the rest of the suite.
public struct CPUBoundTrait: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    /// Each test case separately: a parameterized test's cases take turns like any other CPU-bound test.
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self
    }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await CPUBoundGate.shared.run {
            try await withTaskExecutorPreference(DedicatedThreadExecutor.cpuBoundTests) { try await function() }
        }
    }
}

extension Trait where Self == CPUBoundTrait {
    /// See `CPUBoundTrait`.
    public static var cpuBound: Self { CPUBoundTrait() }
}
