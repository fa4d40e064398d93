import CallsStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Synchronization
import Testing

/// A database that does not answer is an outage: 503 with Retry-After, never a hang or a 500.
@Suite struct OutageTests {
    @Test func aDatabaseTimeoutIsServiceUnavailable() async throws {
        try await RouteHarness.run { harness, client in
            let id = try await client.createCall()
            harness.calls.failAttachments(with: DatabaseTimeout(limit: .seconds(5)))
            let body = Fixtures.multipart(Fixtures.wav())
            try await client.execute(
                uri: "/calls/\(id)/recording", method: .post, headers: [.contentType: body.contentType],
                body: .init(bytes: body.finished())
            ) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "5")
                #expect(problemCode(response) == "database_unavailable")
            }
            // The commit may still land after a timeout: the file stays, in the upload ledger, for the janitor.
            #expect(harness.storedFiles.count == 1)
            #expect(harness.calls.unsettledUploads == harness.storedFiles)
        }
    }

    @Test func aCallThatDoesNotAnswerInTimeTimesOut() async throws {
        await #expect(throws: DatabaseTimeout.self) {
            try await DatabaseDeadline.run(within: .milliseconds(50)) {
                try await Task.sleep(for: .seconds(30))
            }
        }
        #expect(try await DatabaseDeadline.run(within: .seconds(5)) { 42 } == 42)
    }

    /// A query on a hung server ignores cancellation; the caller must still get its answer at the deadline.
    @Test(.timeLimit(.minutes(1))) func theDeadlineDoesNotWaitForAnOperationThatIgnoresCancellation() async throws {
        let parked = Locked<CheckedContinuation<Void, Never>?>(nil)
        await #expect(throws: DatabaseTimeout.self) {
            try await DatabaseDeadline.run(within: .milliseconds(50)) {
                await withCheckedContinuation { continuation in parked.withLock { $0 = continuation } }
            }
        }
        // Only now does the operation end: the timeout above did not wait for it.
        while parked.withLock({ $0 == nil }) { await Task.yield() }
        parked.withLock { $0?.resume() }
    }

    @Test func cancellingTheCallerCancelsTheOperation() async throws {
        let sawCancellation = Locked(false)
        let caller = Task {
            try await DatabaseDeadline.run(within: .seconds(30)) {
                do {
                    try await Task.sleep(for: .seconds(30))
                } catch is CancellationError {
                    sawCancellation.withLock { $0 = true }
                    throw CancellationError()
                }
            }
        }
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        #expect(sawCancellation.withLock { $0 })
    }
}

/// A value behind a lock that escaping closures can share (a `Mutex` itself cannot be captured).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    func withLock<Result>(_ body: (inout sending Value) -> sending Result) -> sending Result {
        mutex.withLock(body)
    }
}
