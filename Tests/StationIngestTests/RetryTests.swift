import Foundation
import Testing

@testable import StationIngest

@Suite struct RetryTests {
    @Test func theCeilingDoublesPerFailureUpToTheCap() {
        var backoff = RetryBackoff(initial: .milliseconds(500), cap: .seconds(4))
        var ceilings: [Duration] = []
        for _ in 0..<6 { ceilings.append(backoff.nextDelay(jitter: 1)) }
        #expect(ceilings == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(4), .seconds(4)])
    }

    @Test func fullJitterDrawsFromZeroToTheCeiling() {
        var low = RetryBackoff(initial: .seconds(1), cap: .seconds(60))
        #expect(low.nextDelay(jitter: 0) == .zero)
        var middle = RetryBackoff(initial: .seconds(1), cap: .seconds(60))
        _ = middle.nextDelay(jitter: 0)
        #expect(middle.nextDelay(jitter: 0.5) == .seconds(1))
        for _ in 0..<100 {
            var random = RetryBackoff(initial: .seconds(2), cap: .seconds(60))
            let delay = random.nextDelay()
            #expect(delay >= .zero && delay <= .seconds(2))
        }
    }

    @Test func retryAfterIsAFloorButNotAnUnboundedOne() {
        var backoff = RetryBackoff(initial: .seconds(1), cap: .seconds(60), longestRetryAfter: .seconds(600))
        #expect(backoff.nextDelay(retryAfter: .seconds(30), jitter: 1) == .seconds(30))
        #expect(backoff.nextDelay(retryAfter: .milliseconds(100), jitter: 1) == .seconds(2))
        #expect(backoff.nextDelay(retryAfter: .seconds(86_400), jitter: 0) == .seconds(600))
        backoff.reset()
        #expect(backoff.failures == 0)
    }

    @Test func retryAfterInSecondsAndAsEveryHTTPDateForm() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)  // Tue, 14 Nov 2023 22:13:20 GMT
        #expect(RetryAfter.delay("120", now: now) == .seconds(120))
        #expect(RetryAfter.delay(" 0 ", now: now) == .zero)
        #expect(RetryAfter.delay("Tue, 14 Nov 2023 22:13:50 GMT", now: now) == .seconds(30))
        #expect(RetryAfter.delay("Tuesday, 14-Nov-23 22:14:20 GMT", now: now) == .seconds(60))
        #expect(RetryAfter.delay("Tue Nov 14 22:13:25 2023", now: now) == .seconds(5))
        #expect(RetryAfter.delay("Tue, 14 Nov 2023 22:00:00 GMT", now: now) == .zero)
        #expect(RetryAfter.delay("soon", now: now) == nil)
        #expect(RetryAfter.delay("-5", now: now) == nil)
        #expect(RetryAfter.delay(nil, now: now) == nil)
    }
}
