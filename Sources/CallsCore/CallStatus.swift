/// Where a call is in its life: `created` until a recording arrives, `processing` while the analysis job is
/// queued or running, then `ready` or `failed` for good.
public enum CallStatus: String, Codable, Sendable, CaseIterable {
    case created
    case processing
    case ready
    case failed

    public var isFinal: Bool { self == .ready || self == .failed }
}
