import CallsCore
import CallsStore
import Foundation
import HTTPTypes
import Hummingbird
import RecordingStorage

/// Downloads: `GET /calls/{id}/download` hands out a URL that works for a while without credentials — a
/// presigned bucket URL, or one of the API's own `/recordings/{id}/content` URLs, signed with HMAC-SHA256 —
/// and the content route serves the bytes with HTTP ranges. A call tagged `private` answers 403 to both,
/// whenever its URL was signed.
struct DownloadController<Calls: CallRepository & Outbox>: Sendable {
    let calls: Calls
    let store: any RecordingStore
    let signer: ContentURLSigner
    let urlLifetimeSeconds: Int
    /// The API's address as clients reach it; nil: the request's own Host.
    let publicURL: String?

    /// The only variant until the MP3 archive exists.
    static var originalFormat: String { "original" }

    func addRoutes(to router: Router<CallsRequestContext>) {
        router.get("/calls/:id/download", use: link)
        router.get("/recordings/:id/content", use: content)
    }

    struct DownloadLink: Encodable {
        var url: String
        var expiresAt: Date
        var format: String
    }

    @Sendable func link(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let id = try callID(context)
        switch request.uri.queryParameters.get("format") {
        case nil, "original": break
        case "mp3": throw Problem.archiveNotFound
        default: throw Problem.validation(field: "format", "must be 'original' or 'mp3'")
        }
        guard let stored = try await calls.storedRecording(.call(id)) else {
            guard try await calls.find(id: id) != nil else { throw Problem.callNotFound(id.lowercasedString) }
            throw Problem.recordingNotFound
        }
        guard !CallTags.isPrivate(stored.tags) else { throw Problem.recordingPrivate }

        let expires = Int64(Date().timeIntervalSince1970) + Int64(urlLifetimeSeconds)
        let recording = stored.recording
        let url = store.directDownloadURL(
            key: stored.storageKey, expiresIn: urlLifetimeSeconds, filename: recording.filename,
            contentType: recording.format.mimeType
        ) ?? ownURL(request, recordingID: recording.id, expires: expires)
        return try .json(DownloadLink(url: url, expiresAt: Date(timeIntervalSince1970: TimeInterval(expires)), format: Self.originalFormat))
    }

    private func ownURL(_ request: Request, recordingID: UUID, expires: Int64) -> String {
        let base = publicURL ?? "http://\(request.head.authority ?? "localhost")"
        let signature = signer.signature(recordingID: recordingID, format: Self.originalFormat, expires: expires)
        return "\(base)/recordings/\(recordingID.lowercasedString)/content?format=\(Self.originalFormat)&expires=\(expires)&sig=\(signature)"
    }

    @Sendable func content(_ request: Request, context: CallsRequestContext) async throws -> Response {
        // The signature first: without a valid one, nothing about the recording is revealed, not even that
        // it exists.
        let query = request.uri.queryParameters
        guard let recordingID = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let format = query.get("format"), let expires = query.get("expires").flatMap({ Int64($0) }),
              let signature = query.get("sig"),
              signer.isValid(signature, recordingID: recordingID, format: format, expires: expires)
        else { throw Problem.urlSignatureInvalid }
        guard expires >= Int64(Date().timeIntervalSince1970) else { throw Problem.urlExpired }
        guard let stored = try await calls.storedRecording(.recording(recordingID)) else { throw Problem.recordingNotFound }
        guard !CallTags.isPrivate(stored.tags) else { throw Problem.recordingPrivate }

        let recording = stored.recording
        let size = recording.sizeBytes
        var headers: HTTPFields = [
            .contentType: recording.format.mimeType,
            .contentDisposition: ContentDisposition.attachment(filename: recording.filename),
            .eTag: "\"\(recording.sha256)\"",
            .acceptRanges: "bytes",
            .cacheControl: "private, no-store",
        ]
        let status: HTTPResponse.Status
        let first: Int64
        let length: Int64
        switch ByteRange(header: request.headers[.range], size: size) {
        case .whole:
            (status, first, length) = (.ok, 0, size)
        case .partial(let from, let last):
            (status, first, length) = (.partialContent, from, last - from + 1)
            headers[.contentRange] = "bytes \(from)-\(last)/\(size)"
        case .unsatisfiable:
            var response = Problem.rangeNotSatisfiable(size: size).response()
            response.headers[.contentRange] = "bytes */\(size)"
            return response
        }
        let bytes: StoredBytes
        do {
            bytes = try await store.read(key: stored.storageKey, offset: first, length: length)
        } catch let error as RecordingStoreError where error.kind == .notFound {
            context.logger.error("a recording's stored file is missing", metadata: ["key": "\(stored.storageKey)"])
            throw Problem.recordingNotFound
        }
        headers[.contentLength] = String(length)
        return Response(status: status, headers: headers, body: ResponseBody(contentLength: Int(length)) { writer in
            try await writer.write(bytes)
            try await writer.finish(nil)
        })
    }
}
