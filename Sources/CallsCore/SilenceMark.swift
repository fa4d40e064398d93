/// A span of a recording in which nobody speaks (or, with `channel` set, in which that channel is silent).
/// Encoded as `{"start": s, "end": s}` in seconds, the shape existing clients read (see the OpenAPI contract).
public struct SilenceMark: Codable, Sendable, Equatable {
    public var startMs: Milliseconds
    public var endMs: Milliseconds
    public var channel: Int?

    public init(startMs: Milliseconds, endMs: Milliseconds, channel: Int? = nil) {
        self.startMs = startMs
        self.endMs = endMs
        self.channel = channel
    }

    public var durationMs: Milliseconds { endMs - startMs }

    private enum CodingKeys: String, CodingKey { case start, end, channel }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        startMs = Milliseconds(seconds: try container.decode(Double.self, forKey: .start))
        endMs = Milliseconds(seconds: try container.decode(Double.self, forKey: .end))
        channel = try container.decodeIfPresent(Int.self, forKey: .channel)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(startMs.seconds, forKey: .start)
        try container.encode(endMs.seconds, forKey: .end)
        try container.encodeIfPresent(channel, forKey: .channel)
    }
}
