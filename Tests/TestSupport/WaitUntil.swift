import Testing

/// Polls `condition` every `interval` until it holds or the deadline passes. True when it held; a test that
/// needs it to hold writes `#expect(try await waitUntil(...))` or uses `expectEventually`.
public func waitUntil(
    within seconds: Double, every interval: Duration = .milliseconds(50), _ condition: @Sendable () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: interval)
    }
    return try await condition()
}

/// Waits until `condition` holds, recording an issue naming `what` when it still does not after `seconds`.
public func expectEventually(
    _ what: @autoclosure () -> String, within seconds: Double, sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: @Sendable () async throws -> Bool
) async throws {
    let held = try await waitUntil(within: seconds, condition)
    #expect(held, "still not true after \(seconds) s: \(what())", sourceLocation: sourceLocation)
}

/// Polls `probe` until it returns a value or the deadline passes; throws, naming `what`, when it never does.
public func firstValue<T: Sendable>(
    of what: String, within seconds: Double, every interval: Duration = .milliseconds(50), _ probe: @Sendable () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while true {
        if let value = try await probe() { return value }
        guard ContinuousClock.now < deadline else { throw TestSetupError("no \(what) within \(seconds) s") }
        try await Task.sleep(for: interval)
    }
}

/// Polls `probe` until its value satisfies `done` or the deadline passes, and returns the last value either way,
/// so the caller's expectation shows what it ended as.
public func poll<T: Sendable>(
    within seconds: Double, every interval: Duration = .milliseconds(50), _ probe: @Sendable () async throws -> T,
    until done: (T) -> Bool
) async throws -> T {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while true {
        let value = try await probe()
        if done(value) || ContinuousClock.now >= deadline { return value }
        try await Task.sleep(for: interval)
    }
}
