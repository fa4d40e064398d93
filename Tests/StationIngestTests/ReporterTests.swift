import Synchronization
import Testing

@testable import StationIngest

final class Transcript: Sendable {
    let text = Mutex("")
    var lines: [String] { text.withLock { $0 }.split(separator: "\n").map(String.init) }
    func write(_ chunk: String) { text.withLock { $0 += chunk } }
}

@Suite struct ReporterTests {
    @Test func jsonLinesThrottleProgressButNeverTheLastOfAFile() {
        let transcript = Transcript()
        let reporter = JSONLinesReporter(progressInterval: .seconds(3600)) { transcript.write($0 + "\n") }
        reporter.report(.taken(file: "a.json", recordingBytes: 300))
        for sent in [100, 200, 300] { reporter.report(.uploading(file: "a.json", sent: Int64(sent), total: 300)) }
        reporter.report(.finished(file: "a.json", .delivered(callID: "c1")))
        reporter.report(.finished(file: "b.json", .failed(reason: "HTTP 422: bad (validation_failed)")))
        reporter.summarize(IngestSummary())
        let lines = transcript.lines
        #expect(lines.count == 6)
        #expect(lines.filter { $0.contains(#""event":"uploading""#) }.count == 2)
        #expect(lines.contains { $0.contains(#""sent_bytes":300"#) })
        #expect(lines.contains { $0.contains(#""event":"delivered""#) && $0.contains(#""call_id":"c1""#) })
        #expect(lines.contains { $0.contains(#""reason":"HTTP 422: bad (validation_failed)""#) })
        #expect(lines.allSatisfy { $0.hasPrefix("{") && $0.hasSuffix("}") && $0.contains(#""time":"#) })
    }

    @Test func theTerminalShowsALiveLinePerFileThenAPermanentOneAndASummary() {
        let transcript = Transcript()
        let reporter = TerminalReporter(redrawInterval: .zero) { transcript.write($0) }
        reporter.report(.taken(file: "a.json", recordingBytes: 2_000_000))
        reporter.report(.taken(file: "b.json", recordingBytes: 10))
        reporter.report(.uploading(file: "a.json", sent: 1_000_000, total: 2_000_000))
        let live = transcript.text.withLock { $0 }
        #expect(live.contains("a.json  1.0 MB/2.0 MB"))
        #expect(live.contains("/s  ETA "))
        #expect(live.contains("b.json  0 B/10 B"))
        reporter.report(.finished(file: "a.json", .delivered(callID: "c1")))
        var summary = IngestSummary()
        summary.delivered = 1
        summary.bytesUploaded = 2_000_000
        summary.elapsed = .seconds(2)
        reporter.summarize(summary)
        let text = transcript.text.withLock { $0 }
        #expect(text.contains("✓ a.json → call c1\n"))
        // The two live lines are redrawn in place: the cursor goes back up over them.
        #expect(text.contains("\u{1B}[2A"))
        #expect(text.hasSuffix("1 delivered, 0 failed, 0 left; 2.0 MB in 2.0 s (1.0 MB/s)\n"))
    }
}
