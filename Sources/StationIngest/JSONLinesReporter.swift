import Foundation
import Synchronization

/// One JSON object per line on standard output, for a log collector: every step of every pair, upload
/// progress at most every `progressInterval` per file, and the summary.
public final class JSONLinesReporter: IngestReporter {
    private let progressInterval: Duration
    private let lastProgress = Mutex<[String: ContinuousClock.Instant]>([:])
    private let write: @Sendable (String) -> Void

    /// By default each line is one unbuffered write to standard output: a log collector gets it at once, and
    /// lines of concurrent deliveries never interleave.
    public init(
        progressInterval: Duration = .seconds(5),
        write: @escaping @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }
    ) {
        self.progressInterval = progressInterval
        self.write = write
    }

    public func report(_ event: IngestEvent) {
        var fields: [String: JSONValue] = [:]
        switch event {
        case .taken(let file, let bytes):
            fields = ["event": "taken", "file": .text(file), "recording_bytes": bytes.map { .number(Double($0)) } ?? .null]
        case .created(let file, let callID):
            fields = ["event": "created", "file": .text(file), "call_id": .text(callID)]
        case .uploading(let file, let sent, let total):
            let now = ContinuousClock.now
            let due = lastProgress.withLock { last -> Bool in
                guard sent == total || last[file].map({ now - $0 >= progressInterval }) ?? true else { return false }
                last[file] = sent == total ? nil : now
                return true
            }
            guard due else { return }
            fields = [
                "event": "uploading", "file": .text(file), "sent_bytes": .number(Double(sent)), "total_bytes": .number(Double(total)),
            ]
        case .retrying(let file, let step, let reason, let delay):
            fields = [
                "event": "retrying", "file": .text(file), "step": .text(step), "reason": .text(reason),
                "delay_seconds": .number(delay.seconds),
            ]
        case .finished(let file, let outcome):
            switch outcome {
            case .delivered(let callID): fields = ["event": "delivered", "file": .text(file), "call_id": .text(callID)]
            case .failed(let reason): fields = ["event": "failed", "file": .text(file), "reason": .text(reason)]
            case .gaveUp(let reason): fields = ["event": "left_for_later", "file": .text(file), "reason": .text(reason)]
            }
        case .problem(let message):
            fields = ["event": "problem", "message": .text(message)]
        }
        emit(fields)
    }

    public func summarize(_ summary: IngestSummary) {
        emit([
            "event": "summary", "delivered": .number(Double(summary.delivered)), "failed": .number(Double(summary.failed)),
            "pending": .number(Double(summary.pending)), "bytes_uploaded": .number(Double(summary.bytesUploaded)),
            "elapsed_seconds": .number(summary.elapsed.seconds),
        ])
    }

    private func emit(_ fields: [String: JSONValue]) {
        var line = fields
        line["time"] = .text(Date().formatted(.iso8601))
        write(JSONValue.object(line).encoded())
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
