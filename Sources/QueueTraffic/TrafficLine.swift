import Foundation

/// One queue_log line of one PBX, without its newline.
public struct TrafficLine: Sendable, Equatable {
    public var source: String
    /// The line's epoch second (its first field).
    public var epoch: Int
    public var text: String

    public var time: Date { Date(timeIntervalSince1970: Double(epoch)) }
}
