import Foundation
import SeededRandomness

/// Realistic queue_log traffic from a simulated call centre, with the truth of what it describes.
///
/// A discrete-event simulation: callers arrive per queue (Poisson), wait, ring agents who are members, not
/// paused there and not busy, are answered or give up; agents pause, log off and on, join and leave
/// queues. Every change is written as the line an Asterisk PBX writes for it, in time order; the truth
/// (`truth(now:)`) is the simulation's own state, never the lines read back.
///
/// The generator is endless (while calls arrive): take lines with `next()`, `lines(_:)` or `writeLog`.
/// Lines are made one simulated action at a time (an action writes one or a few lines); the truth
/// describes the state after the last action, so ask for it when `hasBufferedLines` is false (`lines(_:)`
/// and `writeLog` always stop there).
///
/// ```swift
/// var configuration = TrafficConfiguration(seed: 7)
/// configuration.start = Date()                  // near the API's clock when replaying against it
/// let traffic = TrafficGenerator(configuration)
/// for line in traffic.lines(10_000) { … }       // send line.text to POST /events?source=\(line.source)
/// let expected = traffic.truth(now: Date()).queues   // what GET /queues/status must say
/// ```
public final class TrafficGenerator: Sequence, IteratorProtocol {
    public let configuration: TrafficConfiguration
    var random: SeededRandom
    var agenda = ScheduledActions()
    var queues: [QueueModel] = []
    var agents: [AgentModel] = []
    var callers: [CallerModel] = []
    var freeCallers: [Int] = []
    /// Per source, the counter behind Asterisk-like unique ids (`epoch.sequence`).
    var uniqueIDCounters: [Int]
    var tallies: [TallyKey: QueueDayTally] = [:]
    var dayClock: DayClock
    /// Simulated seconds since the start.
    var now = 0.0
    let startEpoch: Int
    var buffered: [TrafficLine] = []
    var bufferedIndex = 0
    /// Epoch of the newest line made.
    public private(set) var lastEpoch: Int
    /// Lines made so far, buffered ones included.
    public private(set) var lineCount = 0

    struct TallyKey: Hashable {
        var queue: String
        var day: String
    }

    public init(_ configuration: TrafficConfiguration) {
        precondition(!configuration.sources.isEmpty && configuration.queueCount > 0 && configuration.timeScale > 0)
        self.configuration = configuration
        random = SeededRandom(seed: configuration.seed)
        dayClock = DayClock(timeZone: configuration.timeZone)
        startEpoch = Int(configuration.start.timeIntervalSince1970.rounded(.down))
        lastEpoch = startEpoch
        uniqueIDCounters = Array(repeating: 0, count: configuration.sources.count)
        buildQueues()
        buildAgents()
        scheduleStart()
    }

    /// The next line; nil only when nothing more can happen (no calls arrive and agents are still).
    public func next() -> TrafficLine? {
        while bufferedIndex == buffered.count {
            buffered.removeAll(keepingCapacity: true)
            bufferedIndex = 0
            guard step() else { return nil }
        }
        defer { bufferedIndex += 1 }
        return buffered[bufferedIndex]
    }

    /// Lines made but not yet returned by `next()`: the truth already includes them.
    public var hasBufferedLines: Bool { bufferedIndex < buffered.count }

    /// At least `count` lines (fewer only if the traffic ends), ending where the truth describes them.
    public func lines(_ count: Int) -> [TrafficLine] {
        var lines: [TrafficLine] = []
        lines.reserveCapacity(count + 8)
        while lines.count < count || hasBufferedLines, let line = next() { lines.append(line) }
        return lines
    }

    /// Every line up to and including epoch second `epoch`, the buffered ones first. An action's lines
    /// share one time, so this ends between actions and the truth describes exactly that second: what a
    /// replay paced by the clock has sent when the clock reads `epoch`.
    public func lines(through epoch: Int) -> [TrafficLine] {
        var lines: [TrafficLine] = []
        while hasBufferedLines, let line = next() { lines.append(line) }
        while let time = agenda.nextTime, self.epoch(at: time) <= epoch {
            buffered.removeAll(keepingCapacity: true)
            _ = step()
            lines.append(contentsOf: buffered)
            bufferedIndex = buffered.count
        }
        return lines
    }

    /// Runs the simulation's next action; false when there is none.
    private func step() -> Bool {
        guard let entry = agenda.popFirst() else { return false }
        now = entry.time
        switch entry.action {
        case .arrival(let queue): arrive(in: queue)
        case .ringEnds(let caller, let version): if callers[caller].version == version { endRing(of: caller) }
        case .callerLeaves(let caller, let version, let reason):
            if callers[caller].version == version { leave(caller, reason: reason) }
        case .callEnds(let caller, let version): if callers[caller].version == version { endCall(of: caller) }
        case .agentReady(let agent): dispatch(queuesOf: agent)
        case .agentActivity(let agent): act(agent)
        case .restart(let source): restart(source)
        }
        return true
    }

    // MARK: Writing

    /// Whole simulated seconds: Asterisk's durations are differences of whole-second clocks.
    var second: Int { Int(now.rounded(.down)) }

    var epoch: Int { epoch(at: now) }

    func epoch(at time: Double) -> Int { startEpoch + Int((time / configuration.timeScale).rounded(.down)) }

    func write(_ source: Int, _ callID: String, _ queue: String, _ agent: String, _ event: String, _ data: String) {
        let epoch = self.epoch
        lastEpoch = epoch
        lineCount += 1
        buffered.append(
            TrafficLine(
                source: configuration.sources[source], epoch: epoch,
                text: "\(epoch)|\(callID)|\(queue)|\(agent)|\(event)|\(data)"))
    }

    func uniqueID(source: Int) -> String {
        uniqueIDCounters[source] += 1
        return "\(epoch).\(uniqueIDCounters[source])"
    }

    func count(_ queue: Int, epoch: Int, _ change: (inout QueueDayTally) -> Void) {
        let key = TallyKey(queue: queues[queue].name, day: dayClock.day(of: epoch))
        change(&tallies[key, default: QueueDayTally()])
    }

    // MARK: Set-up

    private func buildQueues() {
        let names = ["support", "sales", "billing", "tech", "orders", "claims", "retention", "vip"]
        let sources = configuration.sources.count
        let total = configuration.sharedQueueNames ? configuration.queueCount * sources : configuration.queueCount
        for index in 0..<total {
            let number = configuration.sharedQueueNames ? index / sources : index
            let name = "\(names[number % names.count])-\(String(format: "%03d", number + 1))"
            let rate = configuration.callsPerHourPerQueue * random.uniform(0.5...1.5)
            queues.append(
                QueueModel(source: index % sources, name: name, meanSecondsBetweenCalls: rate > 0 ? 3600 / rate : 0))
        }
    }

    private func buildAgents() {
        let sources = configuration.sources.count
        let queuesBySource = (0..<sources).map { source in queues.indices.filter { queues[$0].source == source } }
        for index in 0..<configuration.agentCount {
            let source = index % sources
            let number = 1001 + index / sources
            let own = queuesBySource[source]
            guard !own.isEmpty else { continue }
            // The first queue goes round so that every queue has agents; the others are drawn.
            var eligible = [own[(index / sources) % own.count]]
            let wanted = 1 + random.below(Swift.max(1, Swift.min(configuration.maxQueuesPerAgent, own.count)))
            while eligible.count < wanted {
                let queue = random.pick(own)
                if !eligible.contains(queue) { eligible.append(queue) }
            }
            let asAgent = random.chance(configuration.agentLoginShare)
            agents.append(
                AgentModel(
                    source: source, name: asAgent ? "Agent/\(number)" : "PJSIP/\(number)", channel: "PJSIP/\(number)",
                    logsInAsAgent: asAgent, eligibleQueues: eligible))
        }
    }

    private func scheduleStart() {
        for agent in agents.indices {
            if random.chance(configuration.loggedInAtStart) {
                agenda.schedule(.agentActivity(agent: agent), at: random.uniform(0...60))
            } else if configuration.meanAgentActivitySeconds > 0 {
                agenda.schedule(.agentActivity(agent: agent), at: random.exponential(mean: configuration.meanAgentActivitySeconds))
            }
        }
        // Calls begin after the first minute, once the morning's logins are in.
        for queue in queues.indices where queues[queue].meanSecondsBetweenCalls > 0 {
            agenda.schedule(.arrival(queue: queue), at: 60 + random.exponential(mean: queues[queue].meanSecondsBetweenCalls))
        }
        for restart in configuration.restarts {
            guard let source = configuration.sources.firstIndex(of: restart.source) else { continue }
            agenda.schedule(.restart(source: source), at: restart.afterSeconds)
        }
    }
}
