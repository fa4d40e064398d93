import Foundation

/// `--check-global`: the global day and month rows (no subscriber) of every day the run can touch are read
/// before the send and again after the verification; what they grew by must equal what this run sent, per
/// period, day or month, and type. Valid only when nothing else writes events of those days meanwhile.
struct GlobalAggregateCheck: Sendable {
    /// The days read, both included (for months, the months holding them).
    struct Span: Sendable {
        var fromDay: String
        var toDay: String

        /// From a day before the earliest start an event can have to a day after the latest one.
        init(bucketing: DayBucketing, start: Date, startSpreadSeconds: Double, runSeconds: Double) {
            fromDay = bucketing.day(of: start.addingTimeInterval(-startSpreadSeconds - 86_400))
            toDay = bucketing.day(of: start.addingTimeInterval(runSeconds + 86_400))
        }

        func contains(_ key: AggregateKey) -> Bool {
            switch key.period {
            case .day: (fromDay...toDay).contains(key.periodStart)
            case .month: (DayBucketing.month(ofDay: fromDay)...DayBucketing.month(ofDay: toDay)).contains(key.periodStart)
            }
        }
    }

    let api: ActivityAPI
    let clock: any LoadClock
    let retryInterval: Double
    let span: Span

    /// The global rows of the span, day and month.
    func read() async throws -> [AggregateKey: AggregateTotals] {
        var rows: [AggregateKey: AggregateTotals] = [:]
        for period in AggregatePeriod.allCases {
            let read = try await AggregateCheck.read(api, period, userID: nil, fromDay: span.fromDay, toDay: span.toDay)
            rows.merge(read) { $0.adding($1) }
        }
        return rows
    }

    /// Compares the growth since `before` with `expected` until they agree or `deadline` (the global rows may
    /// follow the raw events a little later, and reads may come from a cache for a short while).
    func run(
        expected: [AggregateKey: AggregateTotals], before: [AggregateKey: AggregateTotals], deadline: Double
    ) async
        -> AggregateCheck.Outcome
    {
        var differences: [String] = []
        while true {
            do {
                differences = Self.differences(expected: expected, before: before, after: try await read(), span: span)
            } catch {
                differences = ["global rows: \(error)"]
            }
            if differences.isEmpty || clock.now() + retryInterval >= deadline { break }
            try? await clock.sleep(until: clock.now() + retryInterval)
        }
        return AggregateCheck.Outcome(checked: expected.count, mismatches: differences)
    }

    static func differences(
        expected: [AggregateKey: AggregateTotals], before: [AggregateKey: AggregateTotals], after: [AggregateKey: AggregateTotals],
        span: Span
    ) -> [String] {
        var grown: [AggregateKey: AggregateTotals] = [:]
        for key in Set(before.keys).union(after.keys) {
            let growth = (after[key] ?? AggregateTotals()).subtracting(before[key] ?? AggregateTotals())
            if growth != AggregateTotals() { grown[key] = growth }
        }
        let outside = expected.keys.filter { !span.contains($0) }.sorted().map {
            "\($0): outside the days read before the run (\(span.fromDay) to \(span.toDay))"
        }
        let inside = expected.filter { span.contains($0.key) }
        return outside + AggregateCheck.differences(expected: inside, read: grown).map { $0 + " (growth over the run)" }
    }
}
