import Foundation

/// The checks queue_log lines and JSON events share.
enum QueueEventTime {
    /// Instants before 2000 or after 2100 are a corrupt line, not an event.
    static let plausible = Date(timeIntervalSince1970: 946_684_800)...Date(timeIntervalSince1970: 4_102_444_800)

    /// Unix time in seconds, with an optional fraction (some PBXs write milliseconds).
    static func epoch(_ text: String) -> Date? {
        guard !text.isEmpty, text.utf8.count <= 20,
            text.utf8.allSatisfy({ ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ".") }),
            let seconds = Double(text)
        else { return nil }
        return instant(seconds)
    }

    static func instant(_ seconds: Double) -> Date? {
        guard seconds.isFinite else { return nil }
        let time = Date(timeIntervalSince1970: seconds)
        return plausible.contains(time) ? time : nil
    }

    static func isEventName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy {
                ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                    || $0 == UInt8(ascii: "_")
            }
    }
}
