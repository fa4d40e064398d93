import Foundation

/// One call as a station's metadata file describes it, before it is sent to the service.
///
/// Invariants every parsed value keeps (the property tests check them on mutated input):
/// - `caller` and `receiver` are non-empty, carry no surrounding whitespace and no control characters;
/// - `answeredAt` and `endedAt`, when present, are not before `startedAt`, and `answeredAt` is not after `endedAt`;
/// - `direction` is nil or one of `inbound`, `outbound`, `internal`;
/// - `durationSeconds` and `billableSeconds` are nil or not negative;
/// - `tags` are the strings the file gave (the service normalises and validates them).
public struct StationCallMetadata: Sendable, Equatable {
    public var caller: String
    public var receiver: String
    public var startedAt: Date
    public var answeredAt: Date?
    public var endedAt: Date?
    /// `inbound`, `outbound` or `internal`; FreeSWITCH's `local` call direction reads as `internal`.
    public var direction: String?
    public var tags: [String]
    /// The FreeSWITCH channel uuid; nil for JSON.
    public var externalID: String?
    public var hangupCause: String?
    public var durationSeconds: Int?
    public var billableSeconds: Int?
    /// The recording path or name the FreeSWITCH recording variable holds, percent-decoded; nil for JSON.
    public var recordingReference: String?

    public init(
        caller: String, receiver: String, startedAt: Date, answeredAt: Date? = nil, endedAt: Date? = nil, direction: String? = nil,
        tags: [String] = [], externalID: String? = nil, hangupCause: String? = nil, durationSeconds: Int? = nil,
        billableSeconds: Int? = nil, recordingReference: String? = nil
    ) {
        self.caller = caller
        self.receiver = receiver
        self.startedAt = startedAt
        self.answeredAt = answeredAt
        self.endedAt = endedAt
        self.direction = direction
        self.tags = tags
        self.externalID = externalID
        self.hangupCause = hangupCause
        self.durationSeconds = durationSeconds
        self.billableSeconds = billableSeconds
        self.recordingReference = recordingReference
    }

    /// The directions a call can have once normalised.
    public static let directions: Set<String> = ["inbound", "outbound", "internal"]
}
