import CallsCore
import Foundation

/// Reads events sent as JSON, a body holding one array or one object per line (NDJSON):
/// `{source, event_id, time, call_id, queue, agent, event, data: [..]}`. `time` is Unix seconds or an RFC 3339
/// string; `data` items may be strings or numbers. A malformed object is refused on its own, by its index.
public enum QueueEventJSON {
    public struct Rejection: Sendable, Equatable, Error {
        /// 0-based index in the array, or 0-based line of an NDJSON body.
        public var index: Int
        public var reason: String

        public init(index: Int, reason: String) {
            self.index = index
            self.reason = reason
        }
    }

    public typealias BodyError = JSONBodyItems.BodyError

    /// The largest event object taken: every field and data item at its longest, escaped, fits well within.
    /// A larger one is refused without being decoded, so no element of a body costs more than this to read.
    public static let maxItemBytes = 64 * 1024

    /// How many items `body` holds, counted without decoding anything (see `JSONBodyItems`).
    public static func itemCount(_ body: [UInt8]) -> Int {
        JSONBodyItems.count(body)
    }

    /// `check` refuses an event that is well formed but not to be taken, with its reason.
    public static func parse(
        _ body: [UInt8], check: (QueueEvent) -> String? = { _ in nil }
    ) throws(BodyError) -> (events: [QueueEvent], rejections: [Rejection]) {
        let items = try JSONBodyItems.items(body)
        var events: [QueueEvent] = []
        var rejections: [Rejection] = []
        for (index, item) in items.enumerated() where !JSONBodyItems.isBlank(item) {
            guard item.count <= maxItemBytes else {
                rejections.append(Rejection(index: index, reason: "larger than \(maxItemBytes) bytes, more than an event can be"))
                continue
            }
            switch event(Data(item)) {
            case .success(let parsed):
                if let refusal = check(parsed) {
                    rejections.append(Rejection(index: index, reason: refusal))
                } else {
                    events.append(parsed)
                }
            case .failure(let reason): rejections.append(Rejection(index: index, reason: reason.text))
            }
        }
        return (events, rejections)
    }

    struct Reason: Error {
        var text: String
    }

    private struct Wire: Decodable {
        var source: String
        var event_id: Scalar
        var time: Scalar
        var call_id: String
        var queue: String
        var agent: String
        var event: String
        var data: [Scalar]?
    }

    /// A JSON string or number, kept as its text.
    private struct Scalar: Decodable {
        var text: String
        var number: Double?

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let string = try? container.decode(String.self) {
                text = string
                number = nil
            } else if let integer = try? container.decode(Int64.self) {
                text = String(integer)
                number = Double(integer)
            } else {
                let double = try container.decode(Double.self)
                text = String(double)
                number = double
            }
        }
    }

    static func event(_ data: Data) -> Result<QueueEvent, Reason> {
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: data)
        } catch DecodingError.keyNotFound(let key, _) {
            return .failure(Reason(text: "'\(key.stringValue)' is missing"))
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            guard let field = context.codingPath.first?.stringValue else { return .failure(Reason(text: "not a JSON object")) }
            return .failure(Reason(text: "'\(field)' has the wrong type"))
        } catch {
            return .failure(Reason(text: "not a JSON object"))
        }
        for (label, value) in [
            ("source", wire.source), ("event_id", wire.event_id.text), ("call_id", wire.call_id), ("queue", wire.queue),
            ("agent", wire.agent),
        ] {
            if value.isEmpty { return .failure(Reason(text: "'\(label)' is empty")) }
            if value.utf8.count > QueueLogParser.maxFieldBytes {
                return .failure(Reason(text: "'\(label)' is longer than \(QueueLogParser.maxFieldBytes) bytes"))
            }
            // As a queue_log line allows them (a tab is the only control character it takes): what the API reads
            // from a line must read back from the stream.
            if value.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0 == "|" }) {
                return .failure(Reason(text: "'\(label)' holds a control character or '|'"))
            }
        }
        guard QueueEventTime.isEventName(wire.event) else {
            return .failure(Reason(text: "'event' is not A-Z, 0-9 and _"))
        }
        let time: Date?
        if let seconds = wire.time.number {
            time = QueueEventTime.instant(seconds)
        } else {
            time = (try? Date(wire.time.text, strategy: .iso8601)).flatMap { QueueEventTime.instant($0.timeIntervalSince1970) }
        }
        guard let time else { return .failure(Reason(text: "'time' is not Unix seconds or RFC 3339 in 2000-2100")) }
        let items = (wire.data ?? []).map(\.text)
        if items.count > 16 || items.contains(where: { $0.utf8.count > QueueLogParser.maxFieldBytes }) {
            return .failure(Reason(text: "'data' holds more than 16 items or an item over \(QueueLogParser.maxFieldBytes) bytes"))
        }
        // As in a queue_log line: no control character but a tab (PostgreSQL's jsonb refuses NUL).
        if items.contains(where: { $0.unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" } }) {
            return .failure(Reason(text: "'data' holds a control character"))
        }
        return .success(
            QueueEvent(
                source: wire.source, id: wire.event_id.text, time: time, callID: wire.call_id, queue: wire.queue,
                agent: wire.agent, name: QueueEvent.Name(wire.event), data: items))
    }
}
