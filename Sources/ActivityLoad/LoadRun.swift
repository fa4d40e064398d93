import AsyncHTTPClient
import CallsCore
import Foundation

/// One whole run: send on schedule, verify meanwhile and after, check the aggregates, sum up.
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

    public func run() async throws -> LoadSummary {
        let client = ActivityAPI.makeClient(connections: settings.workers + settings.pollConcurrency)
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
        let state = RunState(expectation: Expectation(bucketing: DayBucketing(timeZone: settings.timeZone)))
        let start = clock.now()
        let dispenser = BatchDispenser(schedule: schedule, generator: generator, clock: clock)
        let giveUpAt = start + settings.durationSeconds + settings.verifyTimeoutSeconds
        let verifier = Verifier(
            api: api, state: state, clock: clock, pollInterval: settings.pollIntervalSeconds, concurrency: settings.pollConcurrency)
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
            group.addTask {
                try await verifier.run { await sendEnd.at.map { $0 + settings.verifyTimeoutSeconds } }
            }
            let reporter = Task { try await report(state, start: start) }
            defer { reporter.cancel() }
            try await group.waitForAll()
        }
        let sendSeconds = max((await sendEnd.at ?? clock.now()) - start, 0.001)
        let expectation = await state.expectation
        let deadline = max((await sendEnd.at ?? start) + settings.verifyTimeoutSeconds, clock.now())
        let aggregates = try await AggregateCheck(
            api: api, clock: clock, concurrency: settings.pollConcurrency, retryInterval: max(settings.pollIntervalSeconds, 0.5)
        ).run(expectation.aggregates, deadline: deadline)
        return await summary(state, sendSeconds: sendSeconds, aggregates: aggregates)
    }

    func summary(_ state: RunState, sendSeconds: Double, aggregates: AggregateCheck.Outcome) async -> LoadSummary {
        let expectation = await state.expectation
        let latency = LatencyStatistics(await state.latencies)
        let missing = expectation.pending.values.flatMap(\.values).map(\.event)
            .sorted { ($0.userID, $0.eventID) < ($1.userID, $1.eventID) }
            .prefix(RunState.examplesKept)
            .map { "event \($0.eventID) of \($0.userID) (\($0.type.rawValue), started \(MillisecondTime.format($0.startedMilliseconds)))" }
        let failed = await state.failedEvents
        let sentItems = await state.sentItems
        var summary = LoadSummary(
            sourceID: settings.sourceID, targetRate: settings.rate, sendSeconds: sendSeconds,
            eventsPerSecond: Double(sentItems) / sendSeconds, sentItems: sentItems, uniqueEvents: expectation.uniqueCount,
            duplicatesSent: expectation.duplicateCount, duplicatesReportedByServer: await state.serverDuplicates,
            verified: expectation.verifiedCount, missing: expectation.missingCount, failed: failed, retries: await state.retries,
            pollErrors: await state.pollErrors, latencyMeanMs: latency.mean.map { $0 * 1000 }, latencyP50Ms: latency.p50.map { $0 * 1000 },
            latencyP99Ms: latency.p99.map { $0 * 1000 }, pollIntervalMs: settings.pollIntervalSeconds * 1000,
            aggregatesChecked: aggregates.checked, aggregatesMismatched: aggregates.mismatches.count,
            mismatches: Array(aggregates.mismatches.prefix(RunState.examplesKept)), missingEvents: Array(missing),
            failures: await state.failures + (await state.wrongEvents), passed: false)
        summary.passed = summary.missing == 0 && summary.failed == 0 && summary.aggregatesMismatched == 0 && summary.uniqueEvents > 0
        return summary
    }

    /// A line every report interval: what was sent and verified so far, and the latencies of that interval.
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
