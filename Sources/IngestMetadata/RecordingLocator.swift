import Foundation

/// Which recording belongs to a metadata file.
public enum RecordingLocator {
    /// Tried in this order; a station writes one of them.
    public static let recordingExtensions = ["wav", "mp3"]

    /// - JSON `<name>.json` → `<name>.wav`, else `<name>.mp3`, beside it.
    /// - FreeSWITCH → the file `metadata.recordingReference` names, absolute or relative to the recordings
    ///   directory; else `<uuid>.wav|.mp3` in the recordings directory. Without a recordings directory the
    ///   metadata file's own directory is used.
    ///
    /// nil when there is none: the call is still created, without a recording. `fileExists` should answer true
    /// for regular files only (a FusionPBX `record_path` names a directory). A relative reference that climbs
    /// out with `..`, and a uuid that is not a plain file name, are not followed. An absolute reference is
    /// returned as it is: what is found here is a candidate, which `confine(_:to:)` must accept (inside the
    /// allowed directories once symlinks are resolved) before it is sent or moved.
    public static func recording(
        for metadataFile: String, metadata: StationCallMetadata, format: MetadataFileFormat, recordingsDirectory: String?,
        fileExists: (String) -> Bool
    ) -> String? {
        switch format {
        case .json:
            let base = (metadataFile as NSString).deletingPathExtension
            return recordingExtensions.map { "\(base).\($0)" }.first(where: fileExists)
        case .freeswitchXML:
            let directory = recordingsDirectory ?? directory(of: metadataFile)
            if let reference = metadata.recordingReference, let path = resolve(reference, in: directory), fileExists(path) {
                return path
            }
            guard let uuid = metadata.externalID, isPlainFileName(uuid) else { return nil }
            return recordingExtensions.map { join(directory, "\(uuid).\($0)") }.first(where: fileExists)
        }
    }

    private static func directory(of file: String) -> String {
        let directory = (file as NSString).deletingLastPathComponent
        return directory.isEmpty ? "." : directory
    }

    private static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    private static func resolve(_ reference: String, in directory: String) -> String? {
        if reference.hasPrefix("/") { return reference }
        guard !reference.split(separator: "/").contains("..") else { return nil }
        return join(directory, reference)
    }

    /// A uuid as FreeSWITCH writes it: letters, digits and dashes only, so it cannot name another directory.
    private static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 128
            && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }
    }
}
