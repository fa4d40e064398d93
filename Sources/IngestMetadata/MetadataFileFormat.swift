/// The metadata formats a station writes, told apart by the file name's extension (case-insensitive).
public enum MetadataFileFormat: Sendable, Equatable {
    /// `<name>.json` beside `<name>.wav` or `<name>.mp3`.
    case json
    /// A FreeSWITCH `mod_xml_cdr` file (`<cdr><variables>…`).
    case freeswitchXML

    /// nil for any other file (recordings, partial files, the client's own `.error.json` files are `.json` but
    /// live in the failed directory, which is not watched).
    public init?(fileName: String) {
        let lowered = fileName.lowercased()
        if lowered.hasSuffix(".json") {
            self = .json
        } else if lowered.hasSuffix(".xml") {
            self = .freeswitchXML
        } else {
            return nil
        }
    }
}
