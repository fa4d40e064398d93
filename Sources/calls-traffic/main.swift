import ArgumentParser
import Foundation
import QueueTraffic

/// Writes generated queue_log traffic, one file per PBX (`DIR/<source>.log`), for the panel's benchmarks and
/// for trying the panel out, and prints what the traffic leaves behind (its truth) as one JSON line.
@main
struct CallsTraffic: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calls-traffic", abstract: "Write generated queue_log files (one per PBX) for benchmarks and demos.")

    enum Preset: String, ExpressibleByArgument, CaseIterable {
        /// Four PBXs, 100 queues, 2 000 agents, an hour of traffic squeezed: as many events as asked for.
        case sustained
        /// The status benchmark's centre: 200 queues, 5 000 agents, over 2 000 callers waiting at the end.
        case status
        /// Real time from `--start`: `--events-per-second` for `--seconds`.
        case paced
    }

    @Option(help: "sustained | status | paced") var preset: Preset
    @Option(help: "Directory for the <source>.log files") var out: String
    @Option(help: "Lines to write (sustained, status)") var lines = 30_000
    @Option(help: "Unix time of the first event") var start = Int(Date().timeIntervalSince1970)
    @Option(help: "Events per second (paced)") var eventsPerSecond = 1000.0
    @Option(help: "Seconds of traffic (paced)") var seconds = 60
    @Option(help: "Seed of the simulation") var seed: UInt64 = 16
    @Option(help: "Also write the truth at the last event (every queue's expected status) to this JSON file")
    var truth: String?

    func run() throws {
        var configuration: TrafficConfiguration
        switch preset {
        case .sustained:
            configuration = TrafficConfiguration(seed: seed)
            configuration.sources = ["pbx-a", "pbx-b", "pbx-c", "pbx-d"]
            configuration.queueCount = 100
            configuration.agentCount = 2000
            configuration.callsPerHourPerQueue = 600
            configuration.meanAgentActivitySeconds = 900
            configuration.timeScale = 1
        case .status:
            configuration = TrafficConfiguration.statusBenchmark(seed: seed)
        case .paced:
            configuration = TrafficConfiguration(seed: seed)
            configuration.sources = ["pbx-a", "pbx-b"]
            configuration.queueCount = 50
            configuration.agentCount = 1000
            configuration.callsPerHourPerQueue = 600
            configuration.meanAgentActivitySeconds = 900
            configuration.timeScale = TrafficGenerator.timeScale(for: configuration, eventsPerSecond: eventsPerSecond)
        }
        configuration.start = Date(timeIntervalSince1970: Double(start))
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var handles: [String: FileHandle] = [:]
        for source in configuration.sources {
            let path = "\(out)/\(source).log"
            FileManager.default.createFile(atPath: path, contents: nil)
            handles[source] = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        }
        let generator = TrafficGenerator(configuration)
        var written = 0
        if preset == .paced {
            var pending: [String: Data] = [:]
            for line in generator.lines(through: start + seconds) {
                pending[line.source, default: Data()].append(contentsOf: Array((line.text + "\n").utf8))
                written += 1
            }
            for (source, data) in pending { try handles[source]!.write(contentsOf: data) }
        } else {
            try generator.writeLogs(lines: lines, to: handles)
            written = generator.lineCount
        }
        for handle in handles.values { try handle.close() }
        let truth = generator.truth(now: Date(timeIntervalSince1970: Double(generator.lastEpoch)))
        if let path = self.truth {
            try TrafficTruth.makeEncoder().encode(truth).write(to: URL(fileURLWithPath: path))
        }
        let summary: [String: Any] = [
            "lines": written, "sources": configuration.sources, "queues": truth.queues.count,
            "agents_logged_in": truth.queues.reduce(0) { $0 + $1.agents.loggedIn },
            "waiting": truth.queues.reduce(0) { $0 + $1.calls.waiting },
            "first_epoch": start, "last_epoch": generator.lastEpoch,
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys]), as: UTF8.self))
    }
}
