/// The container/codec family of a recording, as decided from its content (never from its file name).
public enum AudioFormat: String, Codable, Sendable, CaseIterable {
    case wav
    case mp3
    case flac
    case ogg
    case aiff
    case other

    /// The media type downloads carry.
    public var mimeType: String {
        switch self {
        case .wav: "audio/wav"
        case .mp3: "audio/mpeg"
        case .flac: "audio/flac"
        case .ogg: "audio/ogg"
        case .aiff: "audio/aiff"
        case .other: "application/octet-stream"
        }
    }

    /// The extension used for the stored object, so operators browsing the store can open files directly.
    public var fileExtension: String {
        switch self {
        case .other: "audio"
        default: rawValue
        }
    }
}
