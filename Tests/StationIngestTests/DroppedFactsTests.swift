import Foundation
import Synchronization
import Testing
import TestSupport

@testable import StationIngest

/// Facts left out because the service would refuse them are said in the log, and the pair is still delivered.
@Suite struct DroppedFactsTests {
    final class Events: IngestReporter, Sendable {
        let seen = Mutex<[IngestEvent]>([])
        func report(_ event: IngestEvent) { seen.withLock { $0.append(event) } }
        func summarize(_ summary: IngestSummary) {}
    }

    @Test func theLeftOutFactsAreReportedAndTheCallDelivered() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var pair = try DeliveryTests.pair(in: directory)
        pair.fields?.droppedFacts = ["billable_sec", "hangup_cause"]
        let events = Events()
        let delivery = PairDelivery(
            journal: try DeliveryTests.journal(directory, "state"), transport: ScriptedTransport(), disposal: PairDisposal(),
            retry: RetryPolicy(backoff: RetryBackoff(initial: .milliseconds(1), cap: .milliseconds(2)), maximumAttempts: 2),
            reporter: events)
        let outcome = try await delivery.deliver(pair)
        guard case .delivered = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(
            events.seen.withLock { $0 }.contains(
                .problem("call.json: sent without billable_sec, hangup_cause, which the service would refuse")))
    }
}
