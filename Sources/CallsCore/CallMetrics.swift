/// Conversation figures derived from the speech timeline. Party figures exist only for stereo recordings
/// (one party per channel); a mono recording mixes both parties, so it reports talk and silence only.
public struct CallMetrics: Codable, Sendable, Equatable {
    public struct Party: Codable, Sendable, Equatable {
        public var speaker: String
        public var channel: Int
        public var talkMs: Milliseconds
        /// This party's share of all talk time, 0…1.
        public var talkRatio: Double
        public var turns: Int
        /// Times this party started speaking while the other spoke, overlapping by at least the minimum.
        public var interruptions: Int
        public var longestMonologueMs: Milliseconds

        public init(
            speaker: String, channel: Int, talkMs: Milliseconds, talkRatio: Double, turns: Int, interruptions: Int,
            longestMonologueMs: Milliseconds
        ) {
            self.speaker = speaker
            self.channel = channel
            self.talkMs = talkMs
            self.talkRatio = talkRatio
            self.turns = turns
            self.interruptions = interruptions
            self.longestMonologueMs = longestMonologueMs
        }
    }

    /// Silences longer than a threshold: count, total and longest.
    public struct SilenceSummary: Codable, Sendable, Equatable {
        public var thresholdMs: Milliseconds
        public var count: Int
        public var totalMs: Milliseconds
        public var longestMs: Milliseconds

        public init(thresholdMs: Milliseconds, count: Int, totalMs: Milliseconds, longestMs: Milliseconds) {
            self.thresholdMs = thresholdMs
            self.count = count
            self.totalMs = totalMs
            self.longestMs = longestMs
        }
    }

    /// The fraction of each equal slice of the call in which nobody speaks, for drawing.
    public struct Heatmap: Codable, Sendable, Equatable {
        public var binMs: Double
        public var silentFraction: [Double]

        public init(binMs: Double, silentFraction: [Double]) {
            self.binMs = binMs
            self.silentFraction = silentFraction
        }
    }

    public var durationMs: Milliseconds
    /// Time in which at least one party speaks.
    public var talkMs: Milliseconds
    /// Time in which nobody speaks (every gap, however short).
    public var silenceMs: Milliseconds
    /// Silences over 3 s: the time a customer notices nothing happening.
    public var nonTalk: SilenceSummary
    /// Silences over 5 s.
    public var deadAir: SilenceSummary
    public var longestSilenceMs: Milliseconds
    public var silenceHeatmap: Heatmap
    /// Stereo only from here on.
    public var parties: [Party]?
    public var overtalkMs: Milliseconds?
    public var interruptions: Int?
    public var turnCount: Int?
    public var longestMonologueMs: Milliseconds?
    /// Median pause between one party finishing and the other starting (0 when they overlap).
    public var medianResponseGapMs: Milliseconds?

    public init(
        durationMs: Milliseconds, talkMs: Milliseconds, silenceMs: Milliseconds, nonTalk: SilenceSummary,
        deadAir: SilenceSummary, longestSilenceMs: Milliseconds, silenceHeatmap: Heatmap
    ) {
        self.durationMs = durationMs
        self.talkMs = talkMs
        self.silenceMs = silenceMs
        self.nonTalk = nonTalk
        self.deadAir = deadAir
        self.longestSilenceMs = longestSilenceMs
        self.silenceHeatmap = silenceHeatmap
    }
}
