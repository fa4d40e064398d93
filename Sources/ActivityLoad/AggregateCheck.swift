/// Compares each subscriber's day and month aggregates with what was sent, row by row (every type, day and
/// month the run touched, and no row beyond); a subscriber that does not match yet is asked again until the deadline,
/// since the aggregates may follow the raw events a little later.
struct AggregateCheck: Sendable {
    let api: ActivityAPI
    let clock: any LoadClock
    let concurrency: Int
    let retryInterval: Double

    struct Outcome: Sendable {
        var checked = 0
        var mismatches: [String] = []
    }

    func run(_ expected: [AggregateKey: AggregateTotals], deadline: Double) async throws -> Outcome {
        var byUser: [String: [AggregateKey: AggregateTotals]] = [:]
        for (key, totals) in expected { byUser[key.userID ?? "", default: [:]][key] = totals }
        var remaining = byUser.keys.sorted()
        var mismatches: [String: [String]] = [:]
        while true {
            mismatches = try await check(remaining, byUser)
            remaining = remaining.filter { mismatches[$0] != nil }
            if remaining.isEmpty || clock.now() + retryInterval >= deadline { break }
            try await clock.sleep(until: clock.now() + retryInterval)
        }
        let listed = remaining.flatMap { mismatches[$0] ?? [] }
        return Outcome(checked: expected.count, mismatches: listed)
    }

    func check(_ users: [String], _ byUser: [String: [AggregateKey: AggregateTotals]]) async throws -> [String: [String]] {
        try await withThrowingTaskGroup(of: (String, [String]).self) { group in
            var next = users.makeIterator()
            var found: [String: [String]] = [:]
            for _ in 0..<concurrency {
                guard let user = next.next() else { break }
                group.addTask { (user, await compare(user, byUser[user] ?? [:])) }
            }
            while let (user, differences) = try await group.next() {
                if !differences.isEmpty { found[user] = differences }
                if let user = next.next() { group.addTask { (user, await compare(user, byUser[user] ?? [:])) } }
            }
            return found
        }
    }

    /// The differences between `expected` (one subscriber's rows) and what the server answers.
    func compare(_ userID: String, _ expected: [AggregateKey: AggregateTotals]) async -> [String] {
        var read: [AggregateKey: AggregateTotals] = [:]
        for period in AggregatePeriod.allCases {
            let starts = expected.keys.filter { $0.period == period }.map(\.periodStart).sorted()
            guard let first = starts.first, let last = starts.last else { continue }
            do {
                read.merge(try await Self.read(api, period, userID: userID, fromDay: first, toDay: last)) { $0.adding($1) }
            } catch {
                return ["\(userID) \(period.rawValue): \(error)"]
            }
        }
        return Self.differences(expected: expected, read: read)
    }

    /// One period's rows of a subscriber (nil: the global rows) between two days, keyed as expected.
    static func read(
        _ api: ActivityAPI, _ period: AggregatePeriod, userID: String?, fromDay: String, toDay: String
    ) async throws -> [AggregateKey: AggregateTotals] {
        var read: [AggregateKey: AggregateTotals] = [:]
        for item in try await api.aggregates(period, userID: userID, fromDay: fromDay, toDay: toDay) {
            let key = AggregateKey(userID: userID, period: period, periodStart: String(item.periodStart.prefix(10)), type: item.type)
            read[key, default: AggregateTotals()].add(item)
        }
        return read
    }

    static func differences(expected: [AggregateKey: AggregateTotals], read: [AggregateKey: AggregateTotals]) -> [String] {
        Set(expected.keys).union(read.keys).sorted().compactMap { key in
            let want = expected[key]
            let got = read[key]
            guard want != got else { return nil }
            return "\(key): expected \(want.map(\.description) ?? "no row"), got \(got.map(\.description) ?? "no row")"
        }
    }
}

extension AggregateTotals {
    mutating func add(_ item: ActivityAPI.AggregateItem) {
        count += item.count
        durationSeconds += item.durationSeconds
        bytesUp += item.bytesUp
        bytesDown += item.bytesDown
    }

    func adding(_ other: Self) -> Self {
        Self(
            count: count + other.count, durationSeconds: durationSeconds + other.durationSeconds, bytesUp: bytesUp + other.bytesUp,
            bytesDown: bytesDown + other.bytesDown)
    }

    func subtracting(_ other: Self) -> Self {
        Self(
            count: count - other.count, durationSeconds: durationSeconds - other.durationSeconds, bytesUp: bytesUp - other.bytesUp,
            bytesDown: bytesDown - other.bytesDown)
    }
}
