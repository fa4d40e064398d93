/// The MP3 archive made of every analysed recording: whether to make it, how to encode it, and whether the
/// uploaded original survives it.
public struct ArchiveSettings: Sendable, Equatable {
    /// `CALLS_ARCHIVE_MP3`: off keeps only the originals.
    public var enabled = true
    public var encoding = MP3Encoding()
    /// `CALLS_KEEP_ORIGINAL`: keep the uploaded file next to its archive instead of removing it.
    public var keepOriginal = false
    /// `CALLS_ARCHIVE_CONCURRENCY`: archive jobs one worker process runs at once, besides its analysis slots.
    public var concurrency = 1

    public init() {}

    public init(environment: EnvironmentVariables) throws(ConfigurationError) {
        enabled = try environment.boolean("CALLS_ARCHIVE_MP3", default: enabled)
        keepOriginal = try environment.boolean("CALLS_KEEP_ORIGINAL", default: keepOriginal)
        concurrency = try environment.integer("CALLS_ARCHIVE_CONCURRENCY", default: concurrency, in: 1...64)
        switch environment.string("CALLS_ARCHIVE_BITRATE_MODE", default: encoding.mode.rawValue).lowercased() {
        case "cbr": encoding.mode = .constant
        case "vbr": encoding.mode = .variable
        case let other:
            throw ConfigurationError(variable: "CALLS_ARCHIVE_BITRATE_MODE", problem: "must be 'cbr' or 'vbr', got '\(other)'")
        }
        encoding.bitrateKbps = try environment.integer(
            "CALLS_ARCHIVE_BITRATE_KBPS", default: encoding.bitrateKbps, in: MP3Encoding.bitrateRange)
        encoding.vbrQuality = try environment.integer("CALLS_ARCHIVE_VBR_QUALITY", default: encoding.vbrQuality, in: 0...9)
    }
}

/// How LAME encodes an archive. The defaults suit telephone speech: 48 kbit/s is clear speech on both
/// channels of a stereo call, and a constant rate makes storage predictable (21.6 MB per hour).
public struct MP3Encoding: Sendable, Equatable {
    public enum Mode: String, Codable, Sendable {
        case constant = "cbr"
        case variable = "vbr"
    }

    public var mode = Mode.constant
    /// Constant: the bitrate of every frame. Variable: the most any frame may use. LAME rounds to the nearest
    /// rate its output sample rate allows.
    public var bitrateKbps = 48
    /// Variable only: 0 is the best quality, 9 the smallest file.
    public var vbrQuality = 6

    public static let bitrateRange = 8...320

    public init(mode: Mode = .constant, bitrateKbps: Int = 48, vbrQuality: Int = 6) {
        self.mode = mode
        self.bitrateKbps = bitrateKbps
        self.vbrQuality = vbrQuality
    }
}
