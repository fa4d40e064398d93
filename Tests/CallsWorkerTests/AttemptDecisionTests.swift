import CallsStore
@testable import CallsWorker
import Foundation
import JobQueue
import Synchronization
import Testing

/// How a claimed attempt ends, for every kind: by its number against the limit, and whether its record was
/// fenced off by a newer claim.
@Suite struct AttemptDecisionTests {
    @Test(arguments: [
        (1, 3, AttemptDecision.AfterFailure.release), (2, 3, .release), (3, 3, .giveUp), (4, 3, .giveUp),
        (1, 1, .giveUp), (1, 2, .release), (2, 2, .giveUp),
    ])
    func aFailedAttemptIsReleasedUntilTheLastOneWhichGivesUp(attempt: Int, maxAttempts: Int, expected: AttemptDecision.AfterFailure) {
        #expect(AttemptDecision.afterFailure(attempt: attempt, maxAttempts: maxAttempts) == expected)
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

/// `AttemptDecision.recordFailure` over leases that answer as scripted and remember what they were asked.
@Suite struct RecordFailureTests {
    struct Claim: WorkClaim {
        var callID = UUID()
        var leaseToken: Int64 = 7
        var attempt: Int
    }

    final class ScriptedLeases: WorkLeases {
        let releaseAnswer: Bool
        let failAnswer: FollowUps?
        let asked = Mutex<[String]>([])

        init(releaseAnswer: Bool = true, failAnswer: FollowUps? = []) {
            self.releaseAnswer = releaseAnswer
            self.failAnswer = failAnswer
        }

        func claim(callID: UUID, worker: String, leaseSeconds: Int) async throws -> ClaimResult<Claim> { .leasedByAnother }
        func complete(_ claim: Claim, with product: Void) async throws -> WorkCommit { .fenced }
        func release(_ claim: Claim, reason: String) async throws -> Bool {
            asked.withLock { $0.append("release \(claim.attempt): \(reason)") }
            return releaseAnswer
        }
        func fail(_ claim: Claim, reason: String) async throws -> FollowUps? {
            asked.withLock { $0.append("fail \(claim.attempt): \(reason)") }
            return failAnswer
        }
        func releaseHeld(callID: UUID, worker: String) async throws -> Bool { false }
        func failUnclaimed(callID: UUID, reason: String) async throws -> Bool { false }
        func resetForRetry(callID: UUID) async throws -> Bool { false }
    }

    @Test func anAttemptBeforeTheLastIsReleasedAndRetried() async throws {
        let leases = ScriptedLeases()
        let result = try await AttemptDecision.recordFailure("no audio", of: Claim(attempt: 2), in: leases, maxAttempts: 3)
        #expect(result == (.retry("no audio", attempt: 2), []))
        #expect(leases.asked.withLock { $0 } == ["release 2: no audio"])
    }

    @Test func theLastAttemptGivesUpAndPassesOnWhatThatMadeDue() async throws {
        let leases = ScriptedLeases(failAnswer: [.callback])
        let result = try await AttemptDecision.recordFailure("no audio", of: Claim(attempt: 3), in: leases, maxAttempts: 3)
        #expect(result == (.failed("no audio"), [.callback]))
        #expect(leases.asked.withLock { $0 } == ["fail 3: no audio"])
    }

    @Test func aRecordFencedOffByANewerClaimIsFencedAndMakesNothingDue() async throws {
        let released = try await AttemptDecision.recordFailure(
            "no audio", of: Claim(attempt: 1), in: ScriptedLeases(releaseAnswer: false), maxAttempts: 3)
        #expect(released == (.fenced, []))
        let failed = try await AttemptDecision.recordFailure(
            "no audio", of: Claim(attempt: 3), in: ScriptedLeases(failAnswer: nil), maxAttempts: 3)
        #expect(failed == (.fenced, []))
    }
}

/// The follow-ups a commit reports become jobs of the kinds this worker runs, and only those.
@Suite struct FollowUpRoutingTests {
    @Test(arguments: [true, false], [true, false])
    func aFollowUpIsQueuedOnlyWhenItsKindRunsHere(archiving: Bool, deliveringCallbacks: Bool) {
        var expected: [Job.Kind] = []
        if archiving { expected.append(.archive) }
        if deliveringCallbacks { expected.append(.callback) }
        #expect(JobRouter.kinds(of: [.archive, .callback], archiving: archiving, deliveringCallbacks: deliveringCallbacks) == expected)
        #expect(JobRouter.kinds(of: [], archiving: archiving, deliveringCallbacks: deliveringCallbacks).isEmpty)
        #expect(
            JobRouter.kinds(of: [.callback], archiving: true, deliveringCallbacks: deliveringCallbacks)
                == (deliveringCallbacks ? [.callback] : []))
    }
}
