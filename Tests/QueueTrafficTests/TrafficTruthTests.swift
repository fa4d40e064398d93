import CPUBoundTesting
import Foundation
import QueuePanel
import QueueTraffic
import Testing

/// The generator's truth against the panel's rules: its lines, parsed and applied to `PanelState`, must give
/// exactly the queues, agents, waiting callers and counters the simulation says, at every checkpoint.
@Suite(.cpuBound) struct TrafficTruthTests {
    struct Scenario: CustomTestStringConvertible, Sendable {
        var name: String
        var lines: Int
        var configuration: TrafficConfiguration
        var testDescription: String { name }
    }

    static let scenarios: [Scenario] = {
        var oneSource = TrafficConfiguration(seed: 1)
        oneSource.restarts = [.init(source: "pbx1", afterSeconds: 2400)]

        var cluster = TrafficConfiguration(seed: 2)
        cluster.sources = ["pbx-a", "pbx-b"]
        cluster.sharedQueueNames = true
        cluster.queueCount = 5
        cluster.agentCount = 60
        cluster.unknownEventShare = 0.1
        cluster.restarts = [.init(source: "pbx-b", afterSeconds: 1800), .init(source: "pbx-a", afterSeconds: 5400)]

        // An overnight hour compressed into a minute of epoch, counted in New York's day.
        var compressed = TrafficConfiguration(seed: 3)
        compressed.timeZone = TimeZone(identifier: "America/New_York")!
        compressed.start = Date(timeIntervalSince1970: 1_700_024_000)  // 2023-11-14 23:53:20 in New York
        compressed.timeScale = 60
        compressed.sources = ["east", "west", "north"]
        compressed.queueCount = 12
        compressed.agentCount = 90
        compressed.serviceLevelSeconds = 10

        // Too few agents: queues empty out, callers time out and give up.
        var understaffed = TrafficConfiguration(seed: 4)
        understaffed.agentCount = 10
        understaffed.maxQueuesPerAgent = 1
        understaffed.meanAgentActivitySeconds = 600
        understaffed.meanPatienceSeconds = 400
        understaffed.queueTimeoutSeconds = 240
        understaffed.keyPressShare = 0.1
        understaffed.restarts = [.init(source: "pbx1", afterSeconds: 3000)]

        return [
            Scenario(name: "one PBX with a restart", lines: 20_000, configuration: oneSource),
            Scenario(name: "two PBXs sharing queue names, restarts, many unknown events", lines: 20_000, configuration: cluster),
            Scenario(name: "three PBXs, compressed time across New York's midnight", lines: 20_000, configuration: compressed),
            Scenario(name: "understaffed", lines: 20_000, configuration: understaffed),
            Scenario(name: "another seed", lines: 10_000, configuration: TrafficConfiguration(seed: 0xDEAD_BEEF)),
        ]
    }()

    @Test(arguments: scenarios)
    func thePanelsRulesGiveTheTruthAtEveryCheckpoint(scenario: Scenario) throws {
        let configuration = scenario.configuration
        let generator = TrafficGenerator(configuration)
        var replay = PanelReplay(timeZone: configuration.timeZone, serviceLevelSeconds: configuration.serviceLevelSeconds)
        var checkpoints = 0
        var sawWaitingCaller = false
        while generator.lineCount < scenario.lines {
            replay.apply(generator.lines(scenario.lines / 8))
            // Between events and a little later, so waits count on from the newest line.
            for lateBy in [0.0, 37.5] {
                let now = Date(timeIntervalSince1970: Double(generator.lastEpoch) + lateBy)
                let truth = generator.truth(now: now)
                try compare(truth, replay, now: now)
                // Realistic traffic leaves nothing for the ghost sweep's default limits to take.
                var swept = replay.state
                #expect(swept.sweepGhosts(now: now, limits: GhostLimits()).isEmpty)
                sawWaitingCaller = sawWaitingCaller || !truth.waitingCallers.isEmpty
            }
            checkpoints += 1
        }
        #expect(replay.rejections.isEmpty, "\(replay.rejections.prefix(5))")
        #expect(checkpoints >= 8)
        #expect(sawWaitingCaller, "the scenario must have callers waiting at some checkpoint")
        if configuration.unknownEventShare > 0 { #expect(replay.unknownEvents > 0) }
    }

    func compare(_ truth: TrafficTruth, _ replay: PanelReplay, now: Date) throws {
        let names = truth.queues.map(\.queue)
        let panel = replay.queueStatus(queues: names, now: now)
        #expect(panel == truth.queues)
        // JSON to JSON, as a test against the API will compare them.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(panel) == encoder.encode(truth.queues))

        #expect(replay.tallies() == truth.tallies)

        // Agents: status, pause reason and current call exactly. `since` only for paused members: the panel's
        // `since` moves with pauses and membership, not with a call's start or end (see the report).
        let panelAgents = replay.agents()
        #expect(panelAgents.map { [$0.source, $0.agent] } == truth.agents.map { [$0.source, $0.agent] })
        for (actual, expected) in zip(panelAgents, truth.agents) {
            #expect(actual.call == expected.call, "\(expected.source) \(expected.agent)")
            #expect(actual.memberships.map(\.queue) == expected.memberships.map(\.queue), "\(expected.agent)")
            for (member, truthMember) in zip(actual.memberships, expected.memberships) {
                #expect(member.status == truthMember.status, "\(expected.agent) in \(truthMember.queue)")
                #expect(member.pauseReason == truthMember.pauseReason, "\(expected.agent) in \(truthMember.queue)")
                if truthMember.status == .paused {
                    #expect(member.since == truthMember.since, "\(expected.agent) paused in \(truthMember.queue)")
                }
            }
        }

        // Waiting callers: who, where they entered and when (the state keeps the entry position only).
        let waiting = replay.state.waiting.map { key, caller in
            WaitingCallerTruth(
                source: key.source, callID: key.callID, queue: caller.queue, callerID: caller.callerID,
                position: 0, enteredPosition: caller.position ?? -1, enteredAt: caller.enteredAt, waitSeconds: 0)
        }
        .sorted { ($0.source, $0.callID) < ($1.source, $1.callID) }
        let expectedWaiting = truth.waitingCallers.map {
            var caller = $0
            caller.position = 0
            caller.waitSeconds = 0
            return caller
        }
        .sorted { ($0.source, $0.callID) < ($1.source, $1.callID) }
        #expect(waiting == expectedWaiting)
    }
}
