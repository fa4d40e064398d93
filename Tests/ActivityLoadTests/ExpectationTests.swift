import CallsCore
import Foundation
import Testing

@testable import ActivityLoad

@Suite("What the run expects the server to hold")
struct ExpectationTests {
    static func event(
        _ id: String, user: String = "u1", _ type: LoadEventType, at time: String, duration: Int64 = 0, up: Int64 = 0, down: Int64 = 0
    )
        -> GeneratedEvent
    {
        GeneratedEvent(
            eventID: id, sourceID: "s", userID: user, type: type, startedAt: Timestamp.parse(time)!, durationSeconds: duration,
            bytesUp: up, bytesDown: down, cell: "A1")
    }

    @Test("day totals of a small set, counted by hand; a duplicate counts once")
    func totals() {
        var expectation = Expectation(bucketing: DayBucketing(timeZone: .gmt))
        let call1 = Self.event("e1", .callOut, at: "2025-10-20T10:00:00Z", duration: 100)
        let call2 = Self.event("e2", .callOut, at: "2025-10-20T23:59:59Z", duration: 20)
        let data = Self.event("e3", .data, at: "2025-10-20T11:00:00Z", duration: 300, up: 1000, down: 5000)
        let sms = Self.event("e4", user: "u2", .smsSent, at: "2025-10-21T00:00:00Z")
        expectation.acknowledge([call1, call2, data], at: 1)
        expectation.acknowledge([sms, call1, data], at: 2)  // two re-sends
        #expect(expectation.uniqueCount == 4)
        #expect(expectation.duplicateCount == 2)
        #expect(
            expectation.aggregates.filter { $0.key.period == .day } == [
                AggregateKey(userID: "u1", periodStart: "2025-10-20", type: "CALL_OUT"): AggregateTotals(count: 2, durationSeconds: 120),
                AggregateKey(userID: "u1", periodStart: "2025-10-20", type: "DATA"):
                    AggregateTotals(count: 1, durationSeconds: 300, bytesUp: 1000, bytesDown: 5000),
                AggregateKey(userID: "u2", periodStart: "2025-10-21", type: "SMS_SENT"): AggregateTotals(count: 1),
            ])
        let month = { (user: String?, type: String) in AggregateKey(userID: user, period: .month, periodStart: "2025-10-01", type: type) }
        #expect(
            expectation.aggregates.filter { $0.key.period == .month } == [
                month("u1", "CALL_OUT"): AggregateTotals(count: 2, durationSeconds: 120),
                month("u1", "DATA"): AggregateTotals(count: 1, durationSeconds: 300, bytesUp: 1000, bytesDown: 5000),
                month("u2", "SMS_SENT"): AggregateTotals(count: 1),
            ])
        #expect(expectation.globalAggregates[month(nil, "CALL_OUT")] == AggregateTotals(count: 2, durationSeconds: 120))
        #expect(expectation.globalAggregates.count == 6, "three day rows and three month rows")
        #expect(expectation.found(userID: "u1", eventID: "e1") == 1)
        #expect(expectation.found(userID: "u1", eventID: "e1") == nil)
        #expect(expectation.found(userID: "u2", eventID: "e4") == 2)
        #expect(expectation.verifiedCount == 2)
        #expect(expectation.missingCount == 2)
        #expect(Set(expectation.pending.keys) == ["u1"])
    }

    @Test("days in a zone east of UTC: the evening in UTC is already the next day")
    func dayAcrossMidnight() throws {
        var expectation = Expectation(bucketing: DayBucketing(timeZone: try #require(TimeZone(identifier: "Europe/Moscow"))))
        expectation.acknowledge(
            [
                Self.event("before", .callIn, at: "2025-10-20T20:59:59Z", duration: 10),
                Self.event("after", .callIn, at: "2025-10-20T21:00:00Z", duration: 30),
                Self.event("later", .callIn, at: "2025-10-21T20:00:00Z", duration: 5),
            ], at: 0)
        #expect(
            expectation.aggregates.filter { $0.key.period == .day } == [
                AggregateKey(userID: "u1", periodStart: "2025-10-20", type: "CALL_IN"): AggregateTotals(count: 1, durationSeconds: 10),
                AggregateKey(userID: "u1", periodStart: "2025-10-21", type: "CALL_IN"): AggregateTotals(count: 2, durationSeconds: 35),
            ])
    }

    @Test("months are cut at the same midnight as days: 31 October 21:00 UTC is November in Moscow")
    func monthAcrossMidnight() throws {
        var expectation = Expectation(bucketing: DayBucketing(timeZone: try #require(TimeZone(identifier: "Europe/Moscow"))))
        expectation.acknowledge(
            [
                Self.event("october", .smsSent, at: "2025-10-31T20:59:59Z"),
                Self.event("november", .smsSent, at: "2025-10-31T21:00:00Z"),
            ], at: 0)
        let month = { (start: String) in AggregateKey(userID: "u1", period: .month, periodStart: start, type: "SMS_SENT") }
        #expect(expectation.aggregates[month("2025-10-01")] == AggregateTotals(count: 1))
        #expect(expectation.aggregates[month("2025-11-01")] == AggregateTotals(count: 1))
    }

    @Test("a missing row, an extra row and a wrong total are each named")
    func differences() {
        let day = AggregateKey(userID: "u1", periodStart: "2025-10-20", type: "DATA")
        let other = AggregateKey(userID: "u1", periodStart: "2025-10-21", type: "DATA")
        let extra = AggregateKey(userID: "u1", periodStart: "2025-10-21", type: "SMS_SENT")
        let differences = AggregateCheck.differences(
            expected: [day: AggregateTotals(count: 2), other: AggregateTotals(count: 1)],
            read: [day: AggregateTotals(count: 3), extra: AggregateTotals(count: 1)])
        #expect(
            differences == [
                "u1 day 2025-10-20 DATA: expected count 2, duration_sec 0, bytes_up 0, bytes_down 0, got count 3, duration_sec 0, bytes_up 0, bytes_down 0",
                "u1 day 2025-10-21 DATA: expected count 1, duration_sec 0, bytes_up 0, bytes_down 0, got no row",
                "u1 day 2025-10-21 SMS_SENT: expected no row, got count 1, duration_sec 0, bytes_up 0, bytes_down 0",
            ])
        #expect(AggregateCheck.differences(expected: [day: AggregateTotals(count: 2)], read: [day: AggregateTotals(count: 2)]) == [])
    }

    @Test("latency percentiles by nearest rank")
    func percentiles() {
        let statistics = LatencyStatistics((1...100).map(Double.init).reversed())
        #expect(statistics.p50 == 50)
        #expect(statistics.p99 == 99)
        #expect(statistics.mean == 50.5)
        #expect(LatencyStatistics([]).p99 == nil)
    }
}
