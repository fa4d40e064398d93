import Foundation

extension TrafficGenerator {
    /// Appends at least `count` lines of a one-PBX run to its queue_log, each ending in a newline.
    public func writeLog(lines count: Int, to handle: FileHandle) throws {
        precondition(configuration.sources.count == 1, "one log per PBX: use writeLogs(lines:to:)")
        try writeLogs(lines: count, to: [configuration.sources[0]: handle])
    }

    /// Appends at least `count` lines, each to its PBX's queue_log (`handles` by source name).
    public func writeLogs(lines count: Int, to handles: [String: FileHandle]) throws {
        var pending: [String: Data] = [:]
        func flush(_ source: String) throws {
            guard let data = pending[source], !data.isEmpty else { return }
            guard let handle = handles[source] else { preconditionFailure("no log for source \(source)") }
            try handle.write(contentsOf: data)
            pending[source] = Data()
        }
        var written = 0
        while written < count || hasBufferedLines, let line = next() {
            pending[line.source, default: Data()].append(contentsOf: line.text.utf8)
            pending[line.source]?.append(UInt8(ascii: "\n"))
            written += 1
            if pending[line.source]!.count >= 64 * 1024 { try flush(line.source) }
        }
        for source in pending.keys { try flush(source) }
    }

    /// The time scale (`TrafficConfiguration.timeScale`) at which this configuration writes about
    /// `eventsPerSecond` lines per second of epoch, measured on a sample run past its morning logins, so a
    /// benchmark replaying in real time sends that many events a second.
    public static func timeScale(
        for configuration: TrafficConfiguration, eventsPerSecond: Double, sampleLines: Int = 20_000
    ) -> Double {
        var sample = configuration
        sample.timeScale = 1
        let generator = TrafficGenerator(sample)
        _ = generator.lines(sampleLines)
        let from = generator.now
        _ = generator.lines(sampleLines)
        let seconds = Swift.max(generator.now - from, 1)
        return eventsPerSecond / (Double(sampleLines) / seconds)
    }
}
