import Foundation
import Synchronization

@testable import StationIngest

/// A service that answers as the test says, and remembers what it was asked; no network.
final class ScriptedTransport: CallsTransport, Sendable {
    struct Requests: Sendable {
        var creates: [String] = []
        var uploads: [(callID: String, path: String)] = []
        var lookups: [String] = []
        /// Deliveries inside a request now and at most, per idempotency key or call id.
        var active: [String: Int] = [:]
        var mostAtOnce: [String: Int] = [:]
    }

    let requests = Mutex(Requests())
    let create: @Sendable (String) -> AttemptResult<String>
    let upload: @Sendable (String, String) -> AttemptResult<Void>
    let storedSHA256: @Sendable (String) -> AttemptResult<String?>
    /// How long each create lasts: a delivery sharing its key would overlap it.
    let createTakes: Duration

    init(
        create: @escaping @Sendable (String) -> AttemptResult<String> = { _ in .success("6f1c2d3e-0000-4000-8000-000000000001") },
        upload: @escaping @Sendable (String, String) -> AttemptResult<Void> = { _, _ in .success(()) },
        storedSHA256: @escaping @Sendable (String) -> AttemptResult<String?> = { _ in .success(nil) },
        createTakes: Duration = .zero
    ) {
        self.create = create
        self.upload = upload
        self.storedSHA256 = storedSHA256
        self.createTakes = createTakes
    }

    func createCall(_ fields: CallFields, idempotencyKey: String) async -> AttemptResult<String> {
        requests.withLock {
            $0.creates.append(idempotencyKey)
            $0.active[idempotencyKey, default: 0] += 1
            $0.mostAtOnce[idempotencyKey] = max($0.mostAtOnce[idempotencyKey] ?? 0, $0.active[idempotencyKey] ?? 0)
        }
        if createTakes > .zero { try? await Task.sleep(for: createTakes) }
        requests.withLock { $0.active[idempotencyKey, default: 1] -= 1 }
        return create(idempotencyKey)
    }

    func uploadRecording(
        callID: String, path: String, fileName: String, sent: @escaping @Sendable (Int64) -> Void
    ) async -> AttemptResult<Void> {
        requests.withLock { $0.uploads.append((callID, path)) }
        return upload(callID, path)
    }

    func storedRecordingSHA256(callID: String) async -> AttemptResult<String?> {
        requests.withLock { $0.lookups.append(callID) }
        return storedSHA256(callID)
    }
}

/// Discards what it is told.
struct SilentReporter: IngestReporter {
    func report(_ event: IngestEvent) {}
    func summarize(_ summary: IngestSummary) {}
}

extension PairDelivery {
    /// A delivery over `transport` into `state`, retrying quickly and at most `attempts` times per step.
    static func scripted(_ transport: ScriptedTransport, journal: IngestJournal, attempts: Int = 2) -> PairDelivery {
        PairDelivery(
            journal: journal, transport: transport, disposal: PairDisposal(),
            retry: RetryPolicy(backoff: RetryBackoff(initial: .milliseconds(1), cap: .milliseconds(2)), maximumAttempts: attempts),
            reporter: SilentReporter())
    }
}
