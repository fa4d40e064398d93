import AsyncHTTPClient
import CallsCore
import Foundation

/// One whole run: (with --check-global, read the global rows first), send on schedule while the latency probe
/// and the sweeper verify, check the aggregates, sum up.
public struct LoadRun: Sendable {
    public let settings: LoadSettings
    let clock: any LoadClock
    /// Where the progress lines go (stdout for the command).
    let output: @Sendable (String) -> Void

    public init(settings: LoadSettings, clock: any LoadClock = SystemLoadClock(), output: @escaping @Sendable (String) -> Void) {
        self.settings = settings
        self.clock = clock
        self.output = output
    }

    /// The latency probe's own few requests in flight, beside --poll-concurrency for the sweeper.
    static let probeConcurrency = 4
    /// The sweeper starts a round at most this often: a round over every busy subscriber is heavy.
    static let minimumSweepInterval = 1.0

    public func run() async throws -> LoadSummary {
        let client = ActivityAPI.makeClient(connections: settings.workers + settings.pollConcurrency + Self.probeConcurrency)
        do {
            let summary = try await run(api: ActivityAPI(base: settings.api, key: settings.key, client: client))
            try await client.shutdown()
            return summary
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    func run(api: ActivityAPI) async throws -> LoadSummary {
        let schedule = RateSchedule(rate: settings.rate, durationSeconds: settings.durationSeconds, batchLimit: settings.batch)
        let generator = EventGenerator(
            sourceID: settings.sourceID, users: settings.users, duplicateShare: settings.duplicateShare, seed: settings.seed,
            startSpread: settings.startSpreadSeconds)
        let bucketing = DayBucketing(timeZone: settings.timeZone)
        let sample = LatencySample.userIDs(source: settings.sourceID, users: settings.users, count: settings.latencyUsers)
        let state = RunState(expectation: Expectation(bucketing: bucketing), latencySample: Set(sample))
        let retryInterval = max(settings.pollIntervalSeconds, 0.5)
        let global = GlobalAggregateCheck(
            api: api, clock: clock, retryInterval: retryInterval,
            span: .init(
                bucketing: bucketing, start: Date(), startSpreadSeconds: settings.startSpreadSeconds,
                runSeconds: settings.durationSeconds + settings.verifyTimeoutSeconds))
        let globalBefore = settings.checkGlobal ? try await global.read() : [:]
        let start = clock.now()
        let dispenser = BatchDispenser(schedule: schedule, generator: generator, clock: clock)
        let giveUpAt = start + settings.durationSeconds + settings.verifyTimeoutSeconds
        let probe = Verifier(
            api: api, state: state, clock: clock, group: .latencyProbe, pollInterval: settings.pollIntervalSeconds,
            concurrency: Self.probeConcurrency)
        let sweeper = Verifier(
            api: api, state: state, clock: clock, group: .sweep, pollInterval: max(settings.pollIntervalSeconds, Self.minimumSweepInterval),
            concurrency: settings.pollConcurrency, waitsForSendEnd: settings.verifyMode == .after)
        let sendEnd = SendEnd()

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await withThrowingTaskGroup(of: Void.self) { senders in
                    for _ in 0..<settings.workers {
                        senders.addTask {
                            try await Sender(api: api, dispenser: dispenser, state: state, clock: clock, giveUpAt: giveUpAt).run()
                        }
                    }
                    try await senders.waitForAll()
                }
                await sendEnd.set(clock.now())
                await state.finishSending()
            }
            let deadline: @Sendable () async -> Double? = { await sendEnd.at.map { $0 + settings.verifyTimeoutSeconds } }
            group.addTask { try await probe.run(deadline: deadline) }
            group.addTask { try await sweeper.run(deadline: deadline) }
            let reporter = Task { try await report(state, start: start) }
            defer { reporter.cancel() }
            try await group.waitForAll()
        }
        let sendSeconds = max((await sendEnd.at ?? clock.now()) - start, 0.001)
        let expectation = await state.expectation
        let deadline = max((await sendEnd.at ?? start) + settings.verifyTimeoutSeconds, clock.now())
        let aggregates = try await AggregateCheck(
            api: api, clock: clock, concurrency: settings.pollConcurrency, retryInterval: retryInterval
        ).run(expectation.aggregates, deadline: deadline)
        var globalOutcome: AggregateCheck.Outcome?
        if settings.checkGlobal {
            globalOutcome = await global.run(expected: expectation.globalAggregates, before: globalBefore, deadline: deadline)
        }
        return await summary(state, sendSeconds: sendSeconds, aggregates: aggregates, global: globalOutcome)
    }

    func summary(
        _ state: RunState, sendSeconds: Double, aggregates: AggregateCheck.Outcome, global: AggregateCheck.Outcome?
    ) async
        -> LoadSummary
    {
        let expectation = await state.expectation
        let latencies = await state.latencies
        let latency = LatencyStatistics(latencies)
        let missing = expectation.pending.values.flatMap(\.values).map(\.event)
            .sorted { ($0.userID, $0.eventID) < ($1.userID, $1.eventID) }
            .prefix(RunState.examplesKept)
            .map { "event \($0.eventID) of \($0.userID) (\($0.type.rawValue), started \(MillisecondTime.format($0.startedMilliseconds)))" }
        let failed = await state.failedEvents
        let sentItems = await state.sentItems
        var applied: Double?
        if let first = await state.firstSendAt, let last = await state.lastFoundAt, expectation.verifiedCount > 0 {
            applied = Double(expectation.verifiedCount) / max(last - first, 0.001)
        }
        let mismatches = aggregates.mismatches.prefix(RunState.examplesKept) + (global?.mismatches ?? []).prefix(RunState.examplesKept)
        var summary = LoadSummary(
            sourceID: settings.sourceID, targetRate: settings.rate, sendSeconds: sendSeconds,
            eventsPerSecond: Double(sentItems) / sendSeconds, appliedPerSecond: applied, sentItems: sentItems,
            uniqueEvents: expectation.uniqueCount, duplicatesSent: expectation.duplicateCount,
            duplicatesReportedByServer: await state.serverDuplicates, verified: expectation.verifiedCount,
            missing: expectation.missingCount, failed: failed, retries: await state.retries, pollErrors: await state.pollErrors,
            latencyMeanMs: latency.mean.map { $0 * 1000 }, latencyP50Ms: latency.p50.map { $0 * 1000 },
            latencyP99Ms: latency.p99.map { $0 * 1000 }, pollIntervalMs: settings.pollIntervalSeconds * 1000,
            latencyUsers: settings.latencyUsers, latencySamples: latencies.count, verifyMode: settings.verifyMode,
            aggregatesChecked: aggregates.checked, aggregatesMismatched: aggregates.mismatches.count,
            globalAggregatesChecked: global?.checked, globalAggregatesMismatched: global?.mismatches.count,
            mismatches: Array(mismatches), missingEvents: Array(missing),
            failures: await state.failures + (await state.wrongEvents), passed: false)
        summary.passed =
            summary.missing == 0 && summary.failed == 0 && summary.aggregatesMismatched == 0
            && (summary.globalAggregatesMismatched ?? 0) == 0 && summary.uniqueEvents > 0
        return summary
    }

    /// A line every report interval: what was sent and verified so far, and the latency probe's latencies of
    /// that interval.
    func report(_ state: RunState, start: Double) async throws {
        var previousSent = 0
        var tick = 1
        while true {
            try await clock.sleep(until: start + Double(tick) * settings.reportIntervalSeconds)
            tick += 1
            let sent = await state.sentItems
            let expectation = await state.expectation
            let latency = LatencyStatistics(await state.takeIntervalLatencies())
            let failed = await state.failedEvents
            let rate = Double(sent - previousSent) / settings.reportIntervalSeconds
            previousSent = sent
            let success =
                expectation.uniqueCount + failed == 0
                ? 100 : 100 * Double(expectation.verifiedCount) / Double(expectation.uniqueCount + failed)
            let average = Format.milliseconds(latency.mean.map { $0 * 1000 })
            let p99 = Format.milliseconds(latency.p99.map { $0 * 1000 })
            output(
                "\(Format.seconds(clock.now() - start)) sent \(sent) verified \(expectation.verifiedCount) failed \(failed) "
                    + "events/s \(Format.rate(rate)) latency avg \(average) p99 \(p99) success \(Format.percent(success))")
        }
    }
}

/// When the last batch was answered.
actor SendEnd {
    var at: Double?

    func set(_ time: Double) {
        at = time
    }
}
