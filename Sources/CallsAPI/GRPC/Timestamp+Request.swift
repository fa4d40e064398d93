import CallsCore
import SwiftProtobuf

extension Google_Protobuf_Timestamp {
    /// The instant as REST's request text, for the shared validation. Out of RFC 3339's years 0001–9999 (or
    /// with nanoseconds out of range) it is text the validation refuses as not a timestamp, instead of an
    /// instant whose milliseconds overflow.
    var requestText: String {
        guard (-62_135_596_800...253_402_300_799).contains(seconds), (0..<1_000_000_000).contains(nanos) else {
            return "out of range: \(seconds) s \(nanos) ns"
        }
        return Timestamp.format(date)
    }
}
