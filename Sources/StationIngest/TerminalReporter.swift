import Foundation
import Synchronization

/// For a person at a terminal: a live line per file in flight (bytes, rate, time left), redrawn in place at
/// most `redrawInterval` apart, each finished file as a permanent line above them, and a summary at the end.
public final class TerminalReporter: IngestReporter {
    private struct Upload {
        var sent: Int64 = 0
        var total: Int64 = 0
        var started = ContinuousClock.now
        var note = ""
    }

    private struct Screen {
        var uploads: [(file: String, upload: Upload)] = []
        var drawnLines = 0
        var lastDraw = ContinuousClock.now - .seconds(1)
    }

    private let screen = Mutex(Screen())
    private let redrawInterval: Duration
    private let write: @Sendable (String) -> Void

    public init(redrawInterval: Duration = .milliseconds(250), write: @escaping @Sendable (String) -> Void = TerminalReporter.standardError)
    {
        self.redrawInterval = redrawInterval
        self.write = write
    }

    public static let standardError: @Sendable (String) -> Void = { text in FileHandle.standardError.write(Data(text.utf8)) }

    public func report(_ event: IngestEvent) {
        screen.withLock { screen in
            var permanent: String?
            var force = true
            switch event {
            case .taken(let file, let bytes):
                screen.uploads.append((file, Upload(total: bytes ?? 0)))
            case .created(let file, let callID):
                update(&screen, file) { $0.note = "call \(callID)" }
            case .uploading(let file, let sent, let total):
                update(&screen, file) {
                    $0.sent = sent
                    $0.total = total
                    $0.note = ""
                }
                force = sent == total
            case .retrying(let file, let step, let reason, let delay):
                update(&screen, file) { $0.note = "\(step) again in \(Self.seconds(delay)): \(reason)" }
            case .finished(let file, let outcome):
                screen.uploads.removeAll { $0.file == file }
                switch outcome {
                case .delivered(let callID): permanent = "✓ \(file) → call \(callID)"
                case .failed(let reason): permanent = "✗ \(file): \(reason)"
                case .gaveUp(let reason): permanent = "… \(file) left for the next run: \(reason)"
                }
            case .problem(let message):
                permanent = "! \(message)"
            }
            let now = ContinuousClock.now
            guard force || now - screen.lastDraw >= redrawInterval else { return }
            screen.lastDraw = now
            draw(&screen, permanent: permanent, now: now)
        }
    }

    public func summarize(_ summary: IngestSummary) {
        screen.withLock { screen in
            screen.uploads = []
            draw(&screen, permanent: nil, now: .now)
        }
        let rate = summary.elapsed > .zero ? Double(summary.bytesUploaded) / summary.elapsed.seconds : 0
        write(
            "\(summary.delivered) delivered, \(summary.failed) failed, \(summary.pending) left; "
                + "\(Self.bytes(summary.bytesUploaded)) in \(Self.seconds(summary.elapsed)) (\(Self.bytes(Int64(rate)))/s)\n")
    }

    private func update(_ screen: inout Screen, _ file: String, _ change: (inout Upload) -> Void) {
        if let index = screen.uploads.firstIndex(where: { $0.file == file }) { change(&screen.uploads[index].upload) }
    }

    /// Moves up over the live lines drawn last time, prints the permanent line there, then the live lines anew.
    private func draw(_ screen: inout Screen, permanent: String?, now: ContinuousClock.Instant) {
        var text = screen.drawnLines > 0 ? "\u{1B}[\(screen.drawnLines)A" : ""
        if let permanent { text += "\r\u{1B}[K" + permanent + "\n" }
        for (file, upload) in screen.uploads {
            text += "\r\u{1B}[K" + Self.line(file, upload, now: now) + "\n"
        }
        text += "\u{1B}[J"
        screen.drawnLines = screen.uploads.count
        write(text)
    }

    private static func line(_ file: String, _ upload: Upload, now: ContinuousClock.Instant) -> String {
        let elapsed = (now - upload.started).seconds
        let rate = elapsed > 0 ? Double(upload.sent) / elapsed : 0
        var line = "  \(file)  \(bytes(upload.sent))/\(bytes(upload.total))  \(bytes(Int64(rate)))/s"
        if rate > 0, upload.total > upload.sent {
            line += "  ETA \(seconds(.seconds(Double(upload.total - upload.sent) / rate)))"
        }
        return upload.note.isEmpty ? line : line + "  " + upload.note
    }

    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(count)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f", value) + " " + units[unit]
    }

    static func seconds(_ duration: Duration) -> String {
        let total = Int(duration.seconds.rounded())
        return total >= 60 ? "\(total / 60) min \(total % 60) s" : String(format: "%.1f s", duration.seconds)
    }
}
