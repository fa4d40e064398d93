import CPUBoundTesting
import Foundation
import QueuePanel
import QueueTraffic
import Testing

/// The traffic itself: reproducible, in time order, with every kind of event, plausible, and big enough for
/// the benchmarks.
@Suite(.cpuBound) struct TrafficGeneratorTests {
    /// Small and busy, so that every kind of event shows up within a few thousand lines.
    static var everything: TrafficConfiguration {
        var configuration = TrafficConfiguration(seed: 42)
        configuration.sources = ["pbx1", "pbx2"]
        configuration.agentCount = 16
        configuration.maxQueuesPerAgent = 2
        configuration.meanAgentActivitySeconds = 600
        configuration.meanPatienceSeconds = 400
        configuration.queueTimeoutSeconds = 240
        configuration.keyPressShare = 0.1
        configuration.transferShare = 0.3
        configuration.unknownEventShare = 0.05
        configuration.restarts = [.init(source: "pbx2", afterSeconds: 3600)]
        return configuration
    }

    static func fields(_ line: TrafficLine) -> [Substring] {
        line.text.split(separator: "|", omittingEmptySubsequences: false)
    }

    @Test func theSameSeedGivesTheSameLinesAndAnotherSeedOthers() {
        let first = TrafficGenerator(Self.everything).lines(5000)
        let again = TrafficGenerator(Self.everything).lines(5000)
        #expect(first == again)
        var other = Self.everything
        other.seed = 43
        let different = TrafficGenerator(other).lines(5000)
        #expect(different.prefix(5000) != first.prefix(5000))

        let generator = TrafficGenerator(Self.everything)
        let oneByOne = (0..<first.count).compactMap { _ in generator.next() }
        #expect(oneByOne == first)
    }

    @Test(arguments: [1.0, 60.0])
    func linesAreInTimeOrderFromTheConfiguredStart(timeScale: Double) throws {
        var configuration = Self.everything
        configuration.timeScale = timeScale
        configuration.start = Date(timeIntervalSince1970: 1_750_000_000)
        let generator = TrafficGenerator(configuration)
        let lines = generator.lines(20_000)
        // The morning's logins come within the first simulated minute.
        #expect((1_750_000_000..<1_750_000_060).contains(lines.first!.epoch))
        #expect(zip(lines, lines.dropFirst()).allSatisfy { $0.epoch <= $1.epoch })
        #expect(lines.allSatisfy { Int(Self.fields($0)[0]) == $0.epoch })
        #expect(lines.allSatisfy { Self.fields($0).count >= 6 }, "Asterisk always writes the data field, if empty")
        #expect(generator.lastEpoch == lines.last?.epoch)
        #expect(Set(lines.map(\.source)) == ["pbx1", "pbx2"])
        // The same traffic at 60 simulated seconds per epoch second spans a sixtieth of the epoch time.
        if timeScale == 60 {
            let realTime = TrafficGenerator(Self.everything).lines(20_000)
            let span = Double(lines.last!.epoch - lines.first!.epoch)
            let realSpan = Double(realTime.last!.epoch - realTime.first!.epoch)
            #expect(abs(span - realSpan / 60) <= 1)
        }
    }

    /// A replay paced by the clock takes the lines of each second as it comes.
    @Test func linesThroughAnEpochSecondAreThatSecondsTrafficExactly() {
        let whole = TrafficGenerator(Self.everything).lines(5000)
        let generator = TrafficGenerator(Self.everything)
        var paced: [TrafficLine] = []
        var second = Int(Self.everything.start.timeIntervalSince1970)
        while paced.count < whole.count {
            let lines = generator.lines(through: second)
            #expect(lines.allSatisfy { $0.epoch <= second && $0.epoch > second - 7 })
            paced += lines
            second += 7
        }
        #expect(Array(paced.prefix(whole.count)) == whole)
        // Nothing of the last second asked for is left behind.
        #expect(generator.next().map { $0.epoch > second - 7 } == true)
    }

    @Test func aLongRunHasEveryKindOfEvent() {
        let lines = TrafficGenerator(Self.everything).lines(60_000)
        var counts: [String: Int] = [:]
        for line in lines { counts[String(Self.fields(line)[4]), default: 0] += 1 }
        let expected: Set<String> = [
            "ADDMEMBER", "REMOVEMEMBER", "AGENTLOGIN", "AGENTLOGOFF", "PAUSE", "UNPAUSE", "PAUSEALL", "UNPAUSEALL",
            "ENTERQUEUE", "RINGNOANSWER", "CONNECT", "COMPLETEAGENT", "COMPLETECALLER", "TRANSFER", "BLINDTRANSFER",
            "ATTENDEDTRANSFER", "ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY", "QUEUESTART",
            "DID", "INFO", "RINGCANCELED",
        ]
        #expect(expected.subtracting(counts.keys).isEmpty, "missing: \(expected.subtracting(counts.keys).sorted())")
        #expect(Set(counts.keys).subtracting(expected).isEmpty)
        // Plausible proportions: most offered calls are answered, each answered call ends once at most.
        let offered = counts["ENTERQUEUE", default: 0]
        let answered = counts["CONNECT", default: 0]
        let ended = ["COMPLETEAGENT", "COMPLETECALLER", "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"]
            .reduce(0) { $0 + counts[$1, default: 0] }
        #expect(answered > offered / 3 && answered <= offered)
        #expect(ended <= answered && ended > answered * 9 / 10)
    }

    /// Agents are rung only when available: a CONNECT comes from a member of the queue, not paused there,
    /// not on another call; its hold time is the time since ENTERQUEUE, and a call's end carries the hold
    /// and the talk time since CONNECT.
    @Test func agentsAnswerOnlyWhenAvailableAndDurationsMatchTheLinesTimes() {
        var replay = PanelReplay(timeZone: TimeZone(identifier: "UTC")!, serviceLevelSeconds: 20)
        var entered: [String: Int] = [:]
        var connected: [String: (epoch: Int, hold: Int)] = [:]
        var connects = 0
        var ends = 0
        for line in TrafficGenerator(Self.everything).lines(30_000) {
            let fields = Self.fields(line).map(String.init)
            let key = line.source + "/" + fields[1]
            let data = Array(fields.dropFirst(5))
            switch fields[4] {
            case "ENTERQUEUE":
                entered[key] = line.epoch
            case "CONNECT":
                let member = PanelState.MemberKey(source: line.source, queue: fields[2], agent: fields[3])
                #expect(replay.state.members[member]?.paused == false, "\(line.text)")
                #expect(replay.state.agentCalls[.init(source: line.source, agent: fields[3])] == nil, "\(line.text)")
                #expect(Int(data[0]) == entered[key].map { line.epoch - $0 }, "\(line.text)")
                connected[key] = (line.epoch, Int(data[0]) ?? -1)
                connects += 1
            case "COMPLETEAGENT", "COMPLETECALLER", "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER":
                let talk = Int(data[data.count - 2])
                let hold = Int(data[data.count - 3])
                #expect(talk == connected[key].map { line.epoch - $0.epoch }, "\(line.text)")
                #expect(hold == connected[key]?.hold, "\(line.text)")
                ends += 1
            default:
                break
            }
            replay.apply(line)
        }
        #expect(connects > 100 && ends > 100)
    }

    /// The `/queues/status` benchmark's size: 200 queues, 5 000 agents logged in, 2 000 callers waiting.
    @Test func reachesTheStatusBenchmarksSize() {
        let configuration = TrafficConfiguration.statusBenchmark(seed: 9)
        let generator = TrafficGenerator(configuration)
        var replay = PanelReplay(timeZone: configuration.timeZone, serviceLevelSeconds: configuration.serviceLevelSeconds)
        while generator.waitingCount < 2000, generator.lineCount < 300_000 {
            replay.apply(generator.lines(1000))
        }
        let truth = generator.truth()
        #expect(truth.queues.count == 200)
        #expect(truth.agents.filter { !$0.memberships.isEmpty }.count == 5000)
        #expect(truth.waitingCallers.count >= 2000)
        #expect(truth.queues.allSatisfy { $0.agents.loggedIn > 0 })
        #expect(replay.queueStatus(queues: truth.queues.map(\.queue), now: truth.now) == truth.queues)
    }

    @Test func writeLogAppendsEachPBXsLinesToItsOwnLog() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("traffic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var handles: [String: FileHandle] = [:]
        for source in Self.everything.sources {
            let url = directory.appendingPathComponent(source)
            FileManager.default.createFile(atPath: url.path, contents: nil)
            handles[source] = try FileHandle(forWritingTo: url)
        }
        try TrafficGenerator(Self.everything).writeLogs(lines: 3000, to: handles)
        for handle in handles.values { try handle.close() }

        let expected = TrafficGenerator(Self.everything).lines(3000)
        for source in Self.everything.sources {
            let written = try String(contentsOf: directory.appendingPathComponent(source), encoding: .utf8)
            let lines = expected.filter { $0.source == source }.map { $0.text + "\n" }.joined()
            #expect(written == lines)
            let parsed = QueueLogParser.parse(Array(written.utf8), source: source, firstOffset: 0)
            #expect(parsed.rejections.isEmpty && parsed.events.count == expected.filter { $0.source == source }.count)
        }
    }

    /// A benchmark asks for a time scale that makes N events per epoch second; counted, not timed.
    @Test func theTimeScaleForAnEventRateGivesAboutThatRate() {
        var configuration = TrafficConfiguration(seed: 5)
        configuration.queueCount = 50
        configuration.agentCount = 800
        let scale = TrafficGenerator.timeScale(for: configuration, eventsPerSecond: 2000, sampleLines: 10_000)
        configuration.timeScale = scale
        let generator = TrafficGenerator(configuration)
        _ = generator.lines(10_000)
        let from = generator.lastEpoch
        let lines = generator.lines(40_000)
        let rate = Double(lines.count) / Double(max(1, generator.lastEpoch - from))
        #expect(rate > 1000 && rate < 4000, "\(rate) lines per epoch second at time scale \(scale)")
    }
}

/// The truth as JSON, in the shape, and back.
@Suite struct TrafficTruthJSONTests {
    @Test func theTruthIsJSONShapedLikeTheStatusAndReadsBack() throws {
        let generator = TrafficGenerator(TrafficGeneratorTests.everything)
        _ = generator.lines(5000)
        let truth = generator.truth()
        let data = try TrafficTruth.makeEncoder().encode(truth)
        #expect(try TrafficTruth.makeDecoder().decode(TrafficTruth.self, from: data) == truth)

        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let queues = try #require(object["queues"] as? [[String: Any]])
        let quiet = try #require(queues.first { ($0["calls"] as? [String: Any])?["waiting"] as? Int == 0 })
        #expect(Set(quiet.keys) == ["queue", "agents", "calls", "today"])
        #expect(Set((quiet["agents"] as? [String: Any] ?? [:]).keys) == ["logged_in", "available", "paused", "on_call"])
        let calls = try #require(quiet["calls"] as? [String: Any])
        #expect(Set(calls.keys) == ["waiting", "longest_wait_seconds"])
        #expect(calls["longest_wait_seconds"] is NSNull, "no caller waits: null, not a missing key")
        #expect(
            Set((quiet["today"] as? [String: Any] ?? [:]).keys)
                == [
                    "offered", "answered", "abandoned", "timed_out", "answered_within_sl", "service_level", "avg_hold_seconds",
                    "avg_talk_seconds",
                ])
    }
}
