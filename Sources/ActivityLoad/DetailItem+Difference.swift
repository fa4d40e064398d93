import CallsCore
import Foundation

extension ActivityAPI.DetailItem {
    /// The first way this event as read differs from the one sent, nil when it is the same: type, start,
    /// end (present exactly for the types that have one), counters and meta (equal as JSON).
    func difference(from event: GeneratedEvent) -> String? {
        guard let type else { return "type missing, sent \(event.type.rawValue)" }
        if type != event.type.rawValue { return "type \(type), sent \(event.type.rawValue)" }
        guard let startedAt else { return "started_at missing, sent \(MillisecondTime.format(event.startedMilliseconds))" }
        if !Self.sameMillisecond(startedAt, event.startedMilliseconds) {
            return "started_at \(startedAt), sent \(MillisecondTime.format(event.startedMilliseconds))"
        }
        switch (endedAt, event.endedMilliseconds) {
        case (nil, nil):
            break
        case (nil, let sent?):
            return "ended_at missing, sent \(MillisecondTime.format(sent))"
        case (let text?, nil):
            return "ended_at \(text), sent none (\(event.type.rawValue))"
        case (let text?, let sent?):
            if !Self.sameMillisecond(text, sent) { return "ended_at \(text), sent \(MillisecondTime.format(sent))" }
        }
        let counters: [(String, Int64?, Int64)] = [
            ("duration_sec", durationSeconds, event.durationSeconds), ("bytes_up", bytesUp, event.bytesUp),
            ("bytes_down", bytesDown, event.bytesDown),
        ]
        for (name, read, sent) in counters where read != sent {
            return "\(name) \(read.map(String.init) ?? "missing"), sent \(sent)"
        }
        let sentMeta = JSONValue.object(["cell": .string(event.cell)])
        if meta != sentMeta { return "meta \(Self.text(meta)), sent \(Self.text(sentMeta))" }
        return nil
    }

    /// Within a millisecond: a server formatting a binary fraction by truncation shows .677 for .678.
    static func sameMillisecond(_ text: String, _ milliseconds: Int64) -> Bool {
        guard let instant = Timestamp.parse(text) else { return false }
        return abs((instant.timeIntervalSince1970 * 1000).rounded() - Double(milliseconds)) <= 1
    }

    static func text(_ value: JSONValue?) -> String {
        guard let value else { return "missing" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
    }
}
