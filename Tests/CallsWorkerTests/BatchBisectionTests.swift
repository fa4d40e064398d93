import CallsStore
@testable import CallsWorker
import Synchronization
import Testing

/// How a batch refused by its consumer is split, and what a consumer's answer means, without I/O.
@Suite struct BatchBisectionTests {
    /// A consumer that refuses any part holding one of `bad`, and records every POST and every settlement.
    final class Script: Sendable {
        let bad: Set<Int64>
        let retryableKeys: Set<String>
        let fenceAfterSettlements: Int?
        let posts = Mutex<[String]>([])
        let sent = Mutex<[Int64]>([])
        let failed = Mutex<[Int64: String]>([:])

        init(bad: Set<Int64>, retryableKeys: Set<String> = [], fenceAfterSettlements: Int? = nil) {
            self.bad = bad
            self.retryableKeys = retryableKeys
            self.fenceAfterSettlements = fenceAfterSettlements
        }

        var bisection: BatchBisection {
            BatchBisection(
                post: { items, key in
                    self.posts.withLock { $0.append(key) }
                    if self.retryableKeys.contains(key) { return .retryable("the consumer answered 503") }
                    let refused = items.filter { self.bad.contains($0.cdrID) }
                    return refused.isEmpty ? .accepted : .rejected("the consumer answered 422: \(refused.map(\.cdrID))")
                },
                settle: { accepted, rejected, reason in
                    let settlements = self.sent.withLock { $0.count } + self.failed.withLock { $0.count }
                    if let limit = self.fenceAfterSettlements, settlements >= limit { return false }
                    self.sent.withLock { $0 += accepted.map(\.cdrID) }
                    self.failed.withLock { failed in for item in rejected { failed[item.cdrID] = reason } }
                    return true
                })
        }
    }

    static func items(_ count: Int) -> [CdrExportItem] {
        (0..<count).map { CdrExportItem(position: $0, cdrID: Int64(100 + $0), version: 1, record: "{}") }
    }

    @Test func aBatchTheConsumerTakesIsOnePost() async throws {
        let script = Script(bad: [])
        #expect(try await script.bisection.deliver(Self.items(7), key: "k") == .answered(sent: 7, failed: 0))
        #expect(script.posts.withLock { $0 } == ["k"])
    }

    @Test func oneRefusedRecordIsFoundByHalvingAndTheOthersAreSent() async throws {
        let script = Script(bad: [105])
        #expect(try await script.bisection.deliver(Self.items(8), key: "k") == .answered(sent: 7, failed: 1))
        #expect(script.posts.withLock { $0 } == ["k", "k.0-3", "k.4-7", "k.4-5", "k.4-4", "k.5-5", "k.6-7"])
        #expect(script.sent.withLock { $0 }.sorted() == [100, 101, 102, 103, 104, 106, 107])
        #expect(script.failed.withLock { $0 } == [105: "the consumer answered 422: [105]"])
    }

    @Test func aSingleRecordRefusedIsFailedWithoutSplitting() async throws {
        let script = Script(bad: [100])
        #expect(try await script.bisection.deliver(Self.items(1), key: "k") == .answered(sent: 0, failed: 1))
        #expect(script.posts.withLock { $0 } == ["k"])
    }

    @Test func aRetryableAnswerToAPartStopsTheBatchKeepingWhatWasSettled() async throws {
        let script = Script(bad: [101], retryableKeys: ["k.2-3"])
        #expect(try await script.bisection.deliver(Self.items(4), key: "k") == .retryable("the consumer answered 503"))
        #expect(script.posts.withLock { $0 } == ["k", "k.0-1", "k.0-0", "k.1-1", "k.2-3"])
        #expect(script.sent.withLock { $0 } == [100])
        #expect(script.failed.withLock { $0 }.keys.sorted() == [101])
    }

    @Test func aBatchTakenOverStopsAtTheFirstRefusedSettlement() async throws {
        let script = Script(bad: [], fenceAfterSettlements: 0)
        #expect(try await script.bisection.deliver(Self.items(3), key: "k") == .fenced)
    }

    @Test(arguments: [
        (200, "accepted"), (204, "accepted"), (301, "retryable"), (307, "retryable"), (400, "rejected"), (401, "retryable"),
        (403, "retryable"), (404, "retryable"),
        (408, "retryable"), (409, "rejected"), (422, "rejected"), (429, "retryable"), (500, "retryable"), (503, "retryable"),
    ])
    func statusesAreClassified(status: Int, expected: String) {
        let kind =
            switch ExportAnswer.of(status: status, excerpt: "no") {
            case .accepted: "accepted"
            case .rejected: "rejected"
            case .retryable: "retryable"
            }
        #expect(kind == expected, "\(status)")
    }

    @Test func aRejectionCarriesTheStatusAndTheTrimmedExcerpt() {
        #expect(ExportAnswer.of(status: 422, excerpt: "  bad call 7\n") == .rejected("the consumer answered 422: bad call 7"))
        #expect(ExportAnswer.of(status: 400, excerpt: "") == .rejected("the consumer answered 400"))
    }
}
