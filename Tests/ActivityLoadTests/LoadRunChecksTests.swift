import CPUBoundTesting
import Foundation
import Testing

@testable import ActivityLoad

/// The checks beyond "every event is there": month rows, the global rows' growth, each event's end and meta,
/// and where the latency comes from.
@Suite("calls-loadgen activity: month, global, per-field checks and the latency probe", .cpuBound)
struct LoadRunChecksTests {
    @Test("a month row miscounted: fails, naming the row")
    func monthMismatch() async throws {
        let api = FakeActivityAPI(faults: .init(miscountMonthUser: "loadgen-test-u000004"))
        let (summary, output) = try await LoadRunTests.run(api, extra: ["--verify-timeout", "8s"])
        #expect(!summary.passed)
        #expect(summary.verified == summary.uniqueEvents)
        #expect(summary.aggregatesMismatched == 1)
        #expect(summary.mismatches.first?.hasPrefix("loadgen-test-u000004 month ") == true, "\(summary.mismatches)")
        #expect(output.contains("got count"))
        #expect(output.hasSuffix("FAILED"))
    }

    @Test("a global row that did not grow by what was sent: fails with --check-global, naming the rows")
    func globalMismatch() async throws {
        let api = FakeActivityAPI(faults: .init(skipGlobalEvent: 5))
        let (summary, output) = try await LoadRunTests.run(api, extra: ["--verify-timeout", "8s", "--check-global"])
        #expect(!summary.passed)
        #expect(summary.aggregatesMismatched == 0, "the subscriber's own rows are right")
        #expect(summary.globalAggregatesMismatched == 2, "its day row and its month row: \(summary.mismatches)")
        #expect(summary.mismatches.allSatisfy { $0.hasPrefix("global ") && $0.hasSuffix("(growth over the run)") })
        #expect(output.contains("global aggregates (growth over the run):"))
    }

    @Test("an event read back with another ended_at: fails, naming it")
    func wrongEndedAt() async throws {
        let api = FakeActivityAPI(faults: .init(wrongEndedAt: true))
        let (summary, output) = try await LoadRunTests.run(api, extra: ["--verify-timeout", "8s"])
        let shown = try #require(await api.shownWithWrongEnd)
        #expect(!summary.passed)
        #expect(summary.failed == 1)
        #expect(summary.failures.count == 1 && summary.failures[0].contains("event \(shown) "), "\(summary.failures)")
        #expect(summary.failures.first?.contains(": ended_at ") == true)
        #expect(output.contains("failure: event \(shown)"))
    }

    @Test("an event read back with another meta: fails, naming it and both values")
    func wrongMeta() async throws {
        let api = FakeActivityAPI(faults: .init(wrongMeta: true))
        let (summary, _) = try await LoadRunTests.run(api, extra: ["--verify-timeout", "8s"])
        let shown = try #require(await api.shownWithWrongMeta)
        #expect(!summary.passed)
        #expect(summary.failed == 1)
        let failure = try #require(summary.failures.first)
        #expect(failure.contains("event \(shown) ") && failure.contains(#"meta {"cell":"Z0"}, sent {"cell":"#), "\(failure)")
    }

    @Test("--check-global and --verify after: passes over rows that already held other events")
    func globalAndVerifyAfterPass() async throws {
        let api = FakeActivityAPI()
        // Someone else's events of today, before the run: the check must look at the growth, not the totals.
        var earlier = EventGenerator(sourceID: "someone-else", users: 5, duplicateShare: 0, seed: 1)
        let body = "[" + earlier.batch(count: 50, now: Date()).map(\.event.json).joined(separator: ",") + "]"
        #expect(await api.post(Array(body.utf8)).status == 202)
        let (summary, output) = try await LoadRunTests.run(api, extra: ["--check-global", "--verify", "after"])
        #expect(summary.passed, "\(output)")
        #expect(summary.verifyMode == .after)
        #expect((summary.globalAggregatesChecked ?? 0) >= 2 && summary.globalAggregatesMismatched == 0)
        #expect(summary.verified == summary.uniqueEvents)
        #expect(output.contains("verify after the send"))
        let decoded = try JSONDecoder().decode(LoadSummary.self, from: Data(summary.json.utf8))
        #expect(decoded == summary)
        #expect(summary.json.contains(#""verify_mode":"after""#) && summary.json.contains(#""latency_users":20"#))
    }

    @Test("--verify after: no subscriber outside the sample is read before the last POST; --verify during: some are")
    func verifyAfterWaitsForTheSend() async throws {
        let sampled = Set(LatencySample.userIDs(source: "loadgen-test", users: 20, count: 2))
        for mode in VerifyMode.allCases {
            let api = FakeActivityAPI()
            // 300 events in 30 POSTs over 3 s: the sweeper (a round a second) has rounds while they go out.
            let extra = ["--rate", "100", "--duration", "3s", "--latency-users", "2", "--verify", mode.rawValue]
            let (summary, output) = try await LoadRunTests.run(api, extra: extra)
            #expect(summary.passed, "\(output)")
            let posts = await api.posts
            let early = await api.detailReads.filter { !sampled.contains($0.userID) && $0.afterPosts < posts }
            let probedEarly = await api.detailReads.filter { sampled.contains($0.userID) && $0.afterPosts < posts }
            #expect(!probedEarly.isEmpty, "the probe reads during the send in either mode")
            switch mode {
            case .after: #expect(early.isEmpty, "\(early.prefix(3))")
            case .during: #expect(!early.isEmpty)
            }
        }
    }

    @Test("the latencies come from the sampled subscribers' events only; applied/s is reported")
    func latencyFromSampleOnly() async throws {
        let api = FakeActivityAPI()
        let (summary, output) = try await LoadRunTests.run(api, extra: ["--latency-users", "5"])
        #expect(summary.passed, "\(output)")
        let sampled = Set(LatencySample.userIDs(source: "loadgen-test", users: 20, count: 5))
        #expect(sampled.count == 5 && sampled.contains("loadgen-test-u000000") && sampled.contains("loadgen-test-u000016"))
        let sampledEvents = await api.events.values.filter { sampled.contains($0.userID) }.count
        #expect(summary.latencyUsers == 5)
        #expect(summary.latencySamples == sampledEvents)
        #expect(summary.latencySamples > 0 && summary.latencySamples < summary.verified)
        #expect(summary.latencyP99Ms != nil)
        #expect((summary.appliedPerSecond ?? 0) > 0)
        #expect(output.contains("over \(sampledEvents) events of 5 sampled subscribers"))
    }
}
