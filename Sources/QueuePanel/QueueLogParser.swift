import Foundation

/// Reads `text/plain` queue_log lines (`epoch|callid|queue|agent|EVENT|data1|…`) as a PBX writes them. Each
/// line's event id is its byte offset in the PBX's log: the offset of the body's first line plus the line's
/// offset in the body. A malformed line is refused on its own with a reason; the others go on.
public enum QueueLogParser {
    public static let maxLineBytes = 4096
    public static let maxFieldBytes = 256

    public struct Rejection: Sendable, Equatable, Error {
        /// 1-based line number in the body.
        public var line: Int
        public var reason: String

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }
    }

    /// The events of `body` in order, and the lines refused. Empty lines are skipped; a trailing `\r` is
    /// ignored (logs copied from Windows).
    /// `check` refuses an event that is well formed but not to be taken (say, too far in the future), with
    /// its reason.
    public static func parse(
        _ body: some Collection<UInt8>, source: String, firstOffset: Int64, check: (QueueEvent) -> String? = { _ in nil }
    ) -> (
        events: [QueueEvent], rejections: [Rejection]
    ) {
        var events: [QueueEvent] = []
        var rejections: [Rejection] = []
        var lineNumber = 0
        var offset = firstOffset
        var line: [UInt8] = []
        line.reserveCapacity(256)

        func finishLine(length: Int) {
            lineNumber += 1
            defer {
                // Saturating: a caller passes offsets far below the limit (the API caps them), so this only
                // keeps a wild one from trapping.
                let (next, overflow) = offset.addingReportingOverflow(Int64(length))
                offset = overflow ? .max : next
                line.removeAll(keepingCapacity: true)
            }
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if line.isEmpty { return }
            switch event(line, source: source, offset: offset) {
            case .success(let parsed):
                if let refusal = check(parsed) {
                    rejections.append(Rejection(line: lineNumber, reason: refusal))
                } else {
                    events.append(parsed)
                }
            case .failure(let reason): rejections.append(Rejection(line: lineNumber, reason: reason.text))
            }
        }

        var length = 0
        for byte in body {
            length += 1
            if byte == UInt8(ascii: "\n") {
                finishLine(length: length)
                length = 0
            } else {
                line.append(byte)
            }
        }
        if length > 0 { finishLine(length: length) }
        return (events, rejections)
    }

    struct Reason: Error {
        var text: String
    }

    static func event(_ line: [UInt8], source: String, offset: Int64) -> Result<QueueEvent, Reason> {
        guard line.count <= maxLineBytes else { return .failure(Reason(text: "line longer than \(maxLineBytes) bytes")) }
        guard let text = String(validating: line, as: UTF8.self) else { return .failure(Reason(text: "not UTF-8")) }
        if text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" }) {
            return .failure(Reason(text: "control character in the line"))
        }
        let fields = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count >= 5 else {
            return .failure(Reason(text: "expected epoch|callid|queue|agent|EVENT[|data…], found \(fields.count) fields"))
        }
        if let long = fields.firstIndex(where: { $0.utf8.count > maxFieldBytes }) {
            return .failure(Reason(text: "field \(long + 1) longer than \(maxFieldBytes) bytes"))
        }
        guard let time = QueueEventTime.epoch(fields[0]) else {
            return .failure(Reason(text: "time '\(fields[0])' is not a Unix time in seconds"))
        }
        let name = fields[4]
        guard QueueEventTime.isEventName(name) else {
            return .failure(Reason(text: "event name '\(name)' is not A-Z, 0-9 and _"))
        }
        for (index, label) in [(1, "call id"), (2, "queue"), (3, "agent")] where fields[index].isEmpty {
            return .failure(Reason(text: "\(label) is empty"))
        }
        return .success(
            QueueEvent(
                source: source, id: String(offset), time: time, callID: fields[1], queue: fields[2], agent: fields[3],
                name: QueueEvent.Name(name), data: Array(fields.dropFirst(5))))
    }
}
