import CallsCore
import CallsStore
import Foundation

/// One downloadable file of a recording: the uploaded original, or its MP3 archive.
struct DownloadVariant: Equatable {
    enum Format: String {
        case original
        case mp3

        /// The `format` query parameter; nil when absent, 422 when it names neither variant.
        static func parse(_ text: String?) throws -> Format? {
            guard let text else { return nil }
            guard let format = Format(rawValue: text) else {
                throw Problem.validation(field: "format", "must be 'original' or 'mp3'")
            }
            return format
        }
    }

    var format: Format
    var storageKey: String
    var contentType: String
    /// The client's file name, with `.mp3` for the archive.
    var filename: String
    var sizeBytes: Int64
    var sha256: String

    /// The variant `requested` (`original` or `mp3`); without a request the archive once it exists, else the
    /// original. Throws the problem to answer when that variant does not exist.
    static func choose(_ requested: Format?, of stored: StoredRecording) throws -> DownloadVariant {
        let format = requested ?? (stored.archive != nil ? .mp3 : .original)
        let recording = stored.recording
        switch format {
        case .original:
            guard recording.originalAvailable else { throw Problem.originalNotKept }
            return DownloadVariant(
                format: .original, storageKey: stored.storageKey, contentType: recording.format.mimeType,
                filename: recording.filename, sizeBytes: recording.sizeBytes, sha256: recording.sha256)
        case .mp3:
            guard let archive = stored.archive else { throw Problem.archiveNotFound(recording.archive) }
            return DownloadVariant(
                format: .mp3, storageKey: archive.storageKey, contentType: AudioFormat.mp3.mimeType,
                filename: mp3Name(for: recording.filename), sizeBytes: archive.sizeBytes, sha256: archive.sha256)
        }
    }

    /// `call.wav` → `call.mp3`; a name without an extension gets one.
    static func mp3Name(for filename: String) -> String {
        guard let dot = filename.lastIndex(of: "."), dot != filename.startIndex else { return filename + ".mp3" }
        return filename[..<dot] + ".mp3"
    }
}
