/// Why a pair is refused before anything is sent: `code` for the scripts reading `<name>.error.json`, `title`
/// and `reason` for the person.
public struct PairRefusal: Sendable, Equatable {
    public var code: String
    public var title: String
    public var reason: String

    public init(code: String, title: String, reason: String) {
        self.code = code
        self.title = title
        self.reason = reason
    }

    /// The metadata cannot become a call (unparsable, a field missing or wrong, too large, unreadable).
    public static func invalidMetadata(_ reason: String) -> PairRefusal {
        PairRefusal(code: "invalid_metadata", title: "The metadata file was refused", reason: reason)
    }

    /// The metadata names a recording outside the directories recordings may be taken from.
    public static func recordingOutsideAllowedDirectories(_ reason: String) -> PairRefusal {
        PairRefusal(code: "recording_outside_allowed_directories", title: "The recording is not in an allowed directory", reason: reason)
    }

    /// Its problem document, for the failed directory.
    var problem: [UInt8] {
        ProblemDocument.local(code: code, title: title, detail: reason)
    }
}
