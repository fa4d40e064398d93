/// One stretch of speech by one party: a turn in the pseudo-transcript.
public struct SpeechSegment: Codable, Sendable, Equatable {
    /// `caller`/`receiver` for stereo recordings (by channel), `unknown` for mono where parties are mixed.
    public var speaker: String
    public var channel: Int
    public var startMs: Milliseconds
    public var endMs: Milliseconds

    public init(speaker: String, channel: Int, startMs: Milliseconds, endMs: Milliseconds) {
        self.speaker = speaker
        self.channel = channel
        self.startMs = startMs
        self.endMs = endMs
    }

    public var durationMs: Milliseconds { endMs - startMs }

    private enum CodingKeys: String, CodingKey { case speaker, channel, start, end }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        speaker = try container.decode(String.self, forKey: .speaker)
        channel = try container.decode(Int.self, forKey: .channel)
        startMs = Milliseconds(seconds: try container.decode(Double.self, forKey: .start))
        endMs = Milliseconds(seconds: try container.decode(Double.self, forKey: .end))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(speaker, forKey: .speaker)
        try container.encode(channel, forKey: .channel)
        try container.encode(startMs.seconds, forKey: .start)
        try container.encode(endMs.seconds, forKey: .end)
    }
}
