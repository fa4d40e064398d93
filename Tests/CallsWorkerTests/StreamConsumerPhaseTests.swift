@testable import CallsWorker
import Testing

@Suite struct StreamConsumerPhaseTests {
    @Test func ownPendingThenTheDeadsThenNewEntries() {
        var phase = StreamConsumerPhase(claimInterval: 3)
        #expect(phase.next == .ownPending)
        phase.applied(entries: 5)
        #expect(phase.next == .ownPending, "more of our own may be pending")
        phase.applied(entries: 0)
        #expect(phase.next == .claimIdle)
        phase.applied(entries: 2)
        #expect(phase.next == .claimIdle)
        phase.applied(entries: 0)
        #expect(phase.next == .new)
    }

    @Test func theTakeoverComesBackEveryIntervalOfReads() {
        var phase = StreamConsumerPhase(claimInterval: 3)
        phase.applied(entries: 0)
        phase.applied(entries: 0)
        for _ in 0..<2 {
            phase.applied(entries: 10)
            #expect(phase.next == .new)
        }
        phase.applied(entries: 0)
        #expect(phase.next == .claimIdle)
    }

    @Test func aFailedBatchIsReadAgainFirst() {
        var phase = StreamConsumerPhase()
        phase.applied(entries: 0)
        phase.applied(entries: 0)
        #expect(phase.next == .new)
        phase.failed()
        #expect(phase.next == .ownPending)
    }
}
