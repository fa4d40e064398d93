import CallsCore
import CallsStore
import Foundation
import RecordingStorage

/// A call's downloadable recording and the URL that fetches it without credentials, for both transports.
struct RecordingLinks<Calls: CallRepository>: Sendable {
    let calls: Calls
    let store: any RecordingStore
    let signer: ContentURLSigner
    let urlLifetimeSeconds: Int

    struct DownloadLink: Encodable {
        var url: String
        var expiresAt: Date
        var format: String
    }

    /// The variant of the call's recording that `format` asks for (`original`, `mp3`, nil: the archive once it
    /// exists), or the problem: 422 for another format, 404 for an unknown call or no recording, 403 for a
    /// call tagged `private`.
    func variant(ofCall id: UUID, format: String?) async throws -> (StoredRecording, DownloadVariant) {
        // Parsed before the lookup: a malformed request is 422 whether or not the recording exists.
        let requested = try DownloadVariant.Format.parse(format)
        guard let stored = try await calls.storedRecording(.call(id)) else {
            guard try await calls.find(id: id) != nil else { throw Problem.callNotFound(id.lowercasedString) }
            throw Problem.recordingNotFound
        }
        guard !CallTags.isPrivate(stored.tags) else { throw Problem.recordingPrivate }
        return (stored, try DownloadVariant.choose(requested, of: stored))
    }

    /// A presigned bucket URL, or the API's own content URL under `base` (`scheme://host`, or empty for a
    /// path the client resolves against the address it called).
    func link(toCall id: UUID, format: String?, base: String) async throws -> DownloadLink {
        let (stored, variant) = try await variant(ofCall: id, format: format)
        let expires = Int64(Date().timeIntervalSince1970) + Int64(urlLifetimeSeconds)
        let url =
            store.directDownloadURL(
                key: variant.storageKey, expiresIn: urlLifetimeSeconds, filename: variant.filename,
                contentType: variant.contentType
            ) ?? ownURL(base: base, recordingID: stored.recording.id, format: variant.format, expires: expires)
        return DownloadLink(url: url, expiresAt: Date(timeIntervalSince1970: TimeInterval(expires)), format: variant.format.rawValue)
    }

    private func ownURL(base: String, recordingID: UUID, format: DownloadVariant.Format, expires: Int64) -> String {
        let signature = signer.signature(recordingID: recordingID, format: format.rawValue, expires: expires)
        return "\(base)/recordings/\(recordingID.lowercasedString)/content?format=\(format.rawValue)&expires=\(expires)&sig=\(signature)"
    }
}
