import Foundation

/// An event as it travels on an activity stream: its fields joined by U+001F, times in microseconds. Cheap to
/// write and read at tens of thousands of events a second, and unambiguous: the ids hold no control character
/// (the API refuses them) and `meta`, last, is JSON text, in which a control character is always escaped.
extension ActivityEvent {
    /// U+001F is one byte in UTF-8 and never part of a longer character's bytes: the fields are cut on bytes.
    static let separator: UInt8 = 0x1F
    static let version = "a1"
    static let fieldCount = 12

    public var payload: String {
        var text = ""
        text.reserveCapacity(96 + sourceID.utf8.count + eventID.utf8.count + userID.utf8.count + (meta?.utf8.count ?? 0))
        let separator = String(UnicodeScalar(Self.separator))
        for field in [Self.version, sourceID, eventID, userID, type.rawValue] {
            text += field
            text += separator
        }
        text += String(Microseconds.of(startedAt))
        text += separator
        if let endedAt { text += String(Microseconds.of(endedAt)) }
        for number in [durationSeconds, bytesUp, bytesDown, Microseconds.of(receivedAt)] {
            text += separator
            text += String(number)
        }
        text += separator
        text += meta ?? ""
        return text
    }

    /// Nil for text that is not an event's payload (a bug upstream, never bad input: only the API writes).
    public init?(payload: String) {
        var payload = payload
        guard let event = payload.withUTF8({ Self.read(payload: $0) }) else { return nil }
        self = event
    }

    private static func read(payload bytes: UnsafeBufferPointer<UInt8>) -> ActivityEvent? {
        var fields: [Range<Int>] = []
        fields.reserveCapacity(fieldCount)
        var start = 0
        // The last field (`meta`) takes the rest, separators and all.
        for index in bytes.indices where fields.count < fieldCount - 1 && bytes[index] == separator {
            fields.append(start..<index)
            start = index + 1
        }
        fields.append(start..<bytes.count)
        guard fields.count == fieldCount else { return nil }
        func text(_ field: Int) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[fields[field]]), as: UTF8.self)
        }
        func number(_ field: Int) -> Int64? {
            Self.integer(UnsafeBufferPointer(rebasing: bytes[fields[field]]))
        }
        func instant(_ field: Int) -> Int64? {
            number(field).flatMap { Self.instants.contains($0) ? $0 : nil }
        }
        guard text(0) == version, let type = ActivityEventType(rawValue: text(4)), let started = instant(5),
            let duration = number(7), let up = number(8), let down = number(9), let received = instant(10)
        else { return nil }
        var ended: Date?
        if !fields[6].isEmpty {
            guard let micros = instant(6) else { return nil }
            ended = Microseconds.date(micros)
        }
        return ActivityEvent(
            sourceID: text(1), eventID: text(2), userID: text(3), type: type, startedAt: Microseconds.date(started),
            endedAt: ended, durationSeconds: duration, bytesUp: up, bytesDown: down,
            meta: fields[11].isEmpty ? nil : text(11), receivedAt: Microseconds.date(received))
    }

    /// Instants a `Date` holds to the microsecond (±2^53 µs, 285 years around 1970): one beyond could not be
    /// turned back into microseconds, and only a damaged entry holds one.
    static let instants: ClosedRange<Int64> = -(1 << 53)...(1 << 53)

    /// A decimal integer as `String(_:)` writes it (an optional minus, then digits); nil for anything else or
    /// beyond 64 bits.
    static func integer(_ digits: UnsafeBufferPointer<UInt8>) -> Int64? {
        let negative = digits.first == UInt8(ascii: "-")
        let body = negative ? UnsafeBufferPointer(rebasing: digits.dropFirst()) : digits
        guard !body.isEmpty else { return nil }
        var magnitude: UInt64 = 0
        for byte in body {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflowTimes) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflowAdd) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflowTimes, !overflowAdd else { return nil }
            magnitude = sum
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }
}
