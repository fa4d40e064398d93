import ArgumentParser
import CPUBoundTesting
import Foundation
import Testing

@testable import ActivityLoad

/// The whole `activity` command, parsed from its arguments, against the in-process fake API.
@Suite("calls-loadgen activity against a fake API", .cpuBound)
struct LoadRunTests {
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func add(_ line: String) { lock.withLock { lines.append(line) } }
        var text: String { lock.withLock { lines.joined(separator: "\n") } }
    }

    static func run(_ api: FakeActivityAPI, extra: [String] = []) async throws -> (LoadSummary, String) {
        try await serving(api) { base in
            let command = try ActivityCommand.parse(
                [
                    "--api", base, "--key", "test-key", "--rate", "200", "--duration", "1s", "--users", "20", "--workers", "3",
                    "--source-id", "loadgen-test", "--duplicates", "0.1", "--batch", "50", "--seed", "42", "--verify-timeout", "10s",
                    "--poll-interval", "0.05", "--report-interval", "0.5",
                ] + extra)
            let lines = Lines()
            let summary = try await command.execute { lines.add($0) }
            return (summary, lines.text)
        }
    }

    @Test("every event found, the aggregates equal: passes")
    func passes() async throws {
        let api = FakeActivityAPI()
        let (summary, output) = try await Self.run(api)
        #expect(summary.passed, "\(output)")
        #expect(summary.uniqueEvents + summary.duplicatesSent == 200)
        #expect(summary.duplicatesSent > 0)
        #expect(summary.verified == summary.uniqueEvents)
        #expect(await api.events.count == summary.uniqueEvents)
        #expect(summary.aggregatesChecked > 0 && summary.aggregatesMismatched == 0)
        #expect(summary.latencyP99Ms != nil)
        #expect(output.contains("latency avg"), "a progress line")
        #expect(output.contains("PASSED"))
    }

    @Test("an event the server lost: fails, naming it")
    func missingEvent() async throws {
        let api = FakeActivityAPI(faults: .init(dropEvent: 17))
        let (summary, output) = try await Self.run(api, extra: ["--verify-timeout", "8s"])
        #expect(!summary.passed)
        #expect(summary.missing == 1)
        let dropped = try #require(await api.dropped)
        #expect(summary.missingEvents.count == 1 && summary.missingEvents[0].contains(dropped))
        #expect(output.contains("missing: event \(dropped)"))
        // The aggregates miss it too: its day row and its month row.
        #expect(summary.aggregatesMismatched == 2)
    }

    @Test("one aggregate miscounted: fails, naming the row")
    func miscountedAggregate() async throws {
        let api = FakeActivityAPI(faults: .init(miscountUser: "loadgen-test-u000003"))
        let (summary, output) = try await Self.run(api, extra: ["--verify-timeout", "8s", "--json"])
        #expect(!summary.passed)
        #expect(summary.missing == 0)
        #expect(summary.verified == summary.uniqueEvents)
        #expect(summary.aggregatesMismatched == 1)
        #expect(summary.mismatches.first?.hasPrefix("loadgen-test-u000003 ") == true)
        #expect(summary.mismatches.first?.contains("got count") == true)
        #expect(output.hasPrefix("{"), "--json prints the summary as JSON: \(output)")
        let decoded = try JSONDecoder().decode(LoadSummary.self, from: Data(summary.json.utf8))
        #expect(decoded == summary)
    }

    @Test("503 for a while, then 202: retried, still everything verified")
    func unavailableThenAccepted() async throws {
        let api = FakeActivityAPI(faults: .init(unavailablePosts: 5))
        let (summary, output) = try await Self.run(api)
        #expect(summary.passed, "\(output)")
        #expect(summary.retries >= 5)
        #expect(summary.failed == 0)
        #expect(summary.verified == summary.uniqueEvents)
    }

    @Test("a 403: never retried, every event failed, the run fails")
    func forbidden() async throws {
        let api = FakeActivityAPI(faults: .init(refuseWith: 403))
        let (summary, output) = try await Self.run(api, extra: ["--verify-timeout", "8s"])
        #expect(!summary.passed)
        #expect(summary.failed == 200)
        #expect(summary.retries == 0)
        #expect(await api.posts == 10)  // 200 events in batches of 20 (at least 10 batches a second)
        #expect(summary.failures.first?.contains("403") == true, "\(output)")
    }
}
