import EventTail
import Foundation
import Testing

@Suite("What the API's answers mean to the tailer")
struct DeliveryOutcomeTests {
    static let problem = Data(
        #"{"type":"about:blank","code":"invalid_key","title":"Unauthorized","detail":"unknown key","status":401}"#.utf8)

    @Test("202 with rejected lines is accepted; missing counts default to none")
    func accepted() {
        let body = Data(#"{"accepted": 2, "duplicates": 1, "rejected": [{"line": 3, "reason": "bad time"}]}"#.utf8)
        #expect(
            DeliveryOutcome(status: 202, body: body)
                == .accepted(EventsAnswer(accepted: 2, duplicates: 1, rejected: [.init(line: 3, reason: "bad time")])))
        #expect(
            DeliveryOutcome(status: 202, body: Data(#"{"accepted": 4}"#.utf8))
                == .accepted(EventsAnswer(accepted: 4, duplicates: 0, rejected: [])))
    }

    @Test("a 2xx that is not an events answer (a proxy's page) is retried, not taken as done")
    func acceptedGarbage() {
        guard case .retry = DeliveryOutcome(status: 200, body: Data("<html>".utf8)) else {
            Issue.record("a 200 without an answer must not acknowledge the batch")
            return
        }
    }

    @Test("413 splits, 408/429/5xx retry, other 4xx stop, with the problem's detail")
    func statuses() {
        #expect(DeliveryOutcome(status: 413, body: Data()) == .tooLarge(detail: "HTTP 413"))
        for status in [408, 429, 500, 502, 503, 504] {
            guard case .retry = DeliveryOutcome(status: status, body: Data()) else {
                Issue.record("HTTP \(status) must be retried")
                continue
            }
        }
        #expect(DeliveryOutcome(status: 401, body: Self.problem) == .refused(status: 401, detail: "unknown key (invalid_key)"))
        #expect(DeliveryOutcome(status: 403, body: Data("forbidden".utf8)) == .refused(status: 403, detail: "forbidden"))
        #expect(DeliveryOutcome(status: 400, body: Data()) == .refused(status: 400, detail: "HTTP 400"))
    }

    @Test("the source is escaped in the URL and a trailing slash of the API is dropped")
    func url() {
        let delivery = HTTPEventsDelivery(api: "http://calls.example:8080/", source: "pbx 1&2", key: "k")
        #expect(delivery.url(offset: 42) == "http://calls.example:8080/events?source=pbx%201%262&offset=42")
    }
}

@Suite("Backoff between retries")
struct BackoffTests {
    @Test("doubles from the initial delay up to the cap, jittered within its upper half, and starts over after a reset")
    func doublingAndCap() {
        var backoff = Backoff(initial: .milliseconds(500), maximum: .seconds(30))
        let ceilings: [Duration] =
            [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16)]
            + Array(repeating: .seconds(30), count: 4)
        for ceiling in ceilings {
            let delay = backoff.nextDelay()
            #expect(delay <= ceiling && delay >= ceiling / 2, "\(delay) outside [\(ceiling / 2), \(ceiling)]")
        }
        #expect(backoff.nextDelay(jitter: 0) == .seconds(15))
        #expect(backoff.nextDelay(jitter: 1) == .seconds(30))
        backoff.reset()
        #expect(backoff.nextDelay(jitter: 0) == .milliseconds(250))
        #expect(backoff.nextDelay(jitter: 1) == .seconds(1))
    }
}
