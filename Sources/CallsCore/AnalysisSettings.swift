/// The knobs of voice-activity detection. Defaults are tuned for telephone speech: line noise and comfort
/// noise sit 20–40 dB under speech, words are separated by gaps of up to ~250 ms that must not split a turn,
/// and a pause a listener notices is about half a second.
public struct AnalysisSettings: Codable, Sendable, Equatable {
    /// Length of one energy frame.
    public var frameMs: Int = 10
    /// Energy below this is never speech, whatever the noise floor (dBFS).
    public var absoluteFloorDb: Double = -55
    /// Speech must rise this far above the estimated noise floor (dB).
    public var marginDb: Double = 12
    /// Once speaking, a channel stays speaking until energy falls this far under the entry threshold (dB).
    public var hysteresisDb: Double = 4
    /// Gaps inside speech shorter than this are bridged (words, breaths).
    public var hangoverMs: Int = 250
    /// Speech islands shorter than this are dropped (clicks, line pops).
    public var minSpeechMs: Int = 120
    /// Silences shorter than this are not reported. Half a second: gaps between words and the breath before
    /// an answer stay under it, while a pause a listener notices (hesitation, looking something up) is over it.
    public var minSilenceMs: Int = 500
    /// Width of the window the noise floor is estimated over, centred on the frame.
    public var noiseWindowMs: Int = 20_000
    /// A decode that takes longer than this is abandoned: a file crafted to decode forever cannot hold a
    /// worker. Far above the few seconds an hour of audio takes.
    public var decodeBudgetSeconds: Int = 300
    /// Party names by channel for stereo recordings (channel 0 first).
    public var channelSpeakers: [String] = ["caller", "receiver"]

    /// A mono recording mixes both parties: speech is found, but not who spoke.
    public static let monoSpeaker = "unknown"

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case frameMs, absoluteFloorDb, marginDb, hysteresisDb, hangoverMs, minSpeechMs, minSilenceMs, noiseWindowMs
        case decodeBudgetSeconds, channelSpeakers
    }

    /// Settings stored with older analyses lack the knobs added since; those read as their defaults.
    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        frameMs = try container.decodeIfPresent(Int.self, forKey: .frameMs) ?? frameMs
        absoluteFloorDb = try container.decodeIfPresent(Double.self, forKey: .absoluteFloorDb) ?? absoluteFloorDb
        marginDb = try container.decodeIfPresent(Double.self, forKey: .marginDb) ?? marginDb
        hysteresisDb = try container.decodeIfPresent(Double.self, forKey: .hysteresisDb) ?? hysteresisDb
        hangoverMs = try container.decodeIfPresent(Int.self, forKey: .hangoverMs) ?? hangoverMs
        minSpeechMs = try container.decodeIfPresent(Int.self, forKey: .minSpeechMs) ?? minSpeechMs
        minSilenceMs = try container.decodeIfPresent(Int.self, forKey: .minSilenceMs) ?? minSilenceMs
        noiseWindowMs = try container.decodeIfPresent(Int.self, forKey: .noiseWindowMs) ?? noiseWindowMs
        decodeBudgetSeconds = try container.decodeIfPresent(Int.self, forKey: .decodeBudgetSeconds) ?? decodeBudgetSeconds
        channelSpeakers = try container.decodeIfPresent([String].self, forKey: .channelSpeakers) ?? channelSpeakers
    }

    public func speaker(forChannel channel: Int, channelCount: Int) -> String {
        guard channelCount > 1 else { return Self.monoSpeaker }
        return channel < channelSpeakers.count ? channelSpeakers[channel] : "channel\(channel)"
    }
}
