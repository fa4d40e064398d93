import Foundation

/// What the telephony station that reported a call (a PBX feeding `calls-ingest`) says about it beyond caller,
/// receiver and start: nil on calls created without a `station` object. Kept as the station said it; the
/// analysis of the recording is the service's own view of the call.
public struct StationFacts: Codable, Sendable, Equatable {
    /// The station's name (`calls-ingest --station`).
    public var name: String
    /// The station's own id of the call, e.g. a FreeSWITCH channel uuid.
    public var callID: String?
    /// `inbound`, `outbound` or `internal`.
    public var direction: String?
    public var answeredAt: Date?
    public var endedAt: Date?
    /// The station's reason for the hangup, e.g. FreeSWITCH's `NORMAL_CLEARING`.
    public var hangupCause: String?
    /// Whole seconds from start to end, and from answer to end, as the station counted them.
    public var durationSec: Int?
    public var billableSec: Int?

    public init(
        name: String, callID: String? = nil, direction: String? = nil, answeredAt: Date? = nil, endedAt: Date? = nil,
        hangupCause: String? = nil, durationSec: Int? = nil, billableSec: Int? = nil
    ) {
        self.name = name
        self.callID = callID
        self.direction = direction
        self.answeredAt = answeredAt
        self.endedAt = endedAt
        self.hangupCause = hangupCause
        self.durationSec = durationSec
        self.billableSec = billableSec
    }

    public static let directions = ["inbound", "outbound", "internal"]

    private enum CodingKeys: String, CodingKey {
        case name
        case callID = "callId"
        case direction, answeredAt, endedAt, hangupCause, durationSec, billableSec
    }

    /// Every key is present (`null` when the station did not say), like the rest of a call.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(callID, forKey: .callID)
        try container.encode(direction, forKey: .direction)
        try container.encode(answeredAt, forKey: .answeredAt)
        try container.encode(endedAt, forKey: .endedAt)
        try container.encode(hangupCause, forKey: .hangupCause)
        try container.encode(durationSec, forKey: .durationSec)
        try container.encode(billableSec, forKey: .billableSec)
    }
}
