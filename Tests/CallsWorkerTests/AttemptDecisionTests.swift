import CallsStore
@testable import CallsWorker
import Testing

/// How a claimed attempt ends, for every kind: by its number against the limit, and whether its record was
/// fenced off by a newer claim.
@Suite struct AttemptDecisionTests {
    @Test(arguments: 1...4, 1...4)
    func aFailedAttemptIsReleasedUntilTheLastOneWhichGivesUp(attempt: Int, maxAttempts: Int) {
        #expect(AttemptDecision.afterFailure(attempt: attempt, maxAttempts: maxAttempts) == (attempt < maxAttempts ? .release : .giveUp))
    }

    @Test func aRecordedFailureRetriesOrFailsTheDelivery() {
        #expect(AttemptDecision.outcome(of: .release, reason: "no audio", attempt: 2, recorded: true) == .retry("no audio", attempt: 2))
        #expect(AttemptDecision.outcome(of: .giveUp, reason: "no audio", attempt: 3, recorded: true) == .failed("no audio"))
    }

    @Test(arguments: [AttemptDecision.AfterFailure.release, .giveUp])
    func aFailureFencedOffByANewerClaimIsFenced(failure: AttemptDecision.AfterFailure) {
        #expect(AttemptDecision.outcome(of: failure, reason: "no audio", attempt: 1, recorded: false) == .fenced)
    }

    @Test func aCommitCompletesWithItsFollowUpsUnlessFencedOffOrGone() {
        #expect(AttemptDecision.outcome(of: .committed([.archive, .callback])) == (.completed, [.archive, .callback]))
        #expect(AttemptDecision.outcome(of: .committed([])) == (.completed, []))
        #expect(AttemptDecision.outcome(of: .fenced) == (.fenced, []))
        #expect(AttemptDecision.outcome(of: .gone) == (.skipped("call deleted meanwhile"), []))
    }
}
