@testable import CallsWorker
import Testing

@Suite struct FetchWatchdogTests {
    let start = ContinuousClock.now

    @Test func aFetchWaitingPastTheThresholdIsAStall() {
        let watchdog = FetchWatchdog(threshold: .seconds(10))
        watchdog.fetchStarted(slot: 1, at: start)
        watchdog.fetchStarted(slot: 0, at: start + .seconds(5))
        #expect(watchdog.stalls(at: start + .seconds(9)).isEmpty)
        #expect(watchdog.problem(at: start + .seconds(9)) == nil)
        #expect(watchdog.stalls(at: start + .seconds(12)) == [.init(slot: 1, waiting: .seconds(12))])
        #expect(watchdog.problem(at: start + .seconds(16)) == "Redis has not answered job fetches: slot 0 for 11 s, slot 1 for 16 s")
    }

    @Test func failedFetchesKeepTheFirstStartAndAReplyClearsIt() {
        let watchdog = FetchWatchdog(threshold: .seconds(10))
        watchdog.fetchStarted(slot: 0, at: start)
        // The fetch failed and the slot tries again: the wait is counted from the first, unanswered fetch.
        watchdog.fetchStarted(slot: 0, at: start + .seconds(6))
        #expect(watchdog.stalls(at: start + .seconds(11)).map(\.slot) == [0])
        watchdog.fetchAnswered(slot: 0)
        #expect(watchdog.stalls(at: start + .seconds(60)).isEmpty)
    }
}
