import CallsCore
import CallsStore
import Foundation
import HTTPTypes
import Hummingbird
import RecordingStorage

/// Downloads: `GET /calls/{id}/download` hands out a URL that works for a while without credentials — a
/// presigned bucket URL, or one of the API's own `/recordings/{id}/content` URLs, signed with HMAC-SHA256 —
/// and the content route serves the bytes with HTTP ranges. A call tagged `private` answers 403 to both,
/// whenever the API's own URL was signed; a presigned bucket URL is checked by the bucket alone and keeps
/// working until it expires.
struct DownloadController<Calls: CallRepository & Outbox>: Sendable {
    let calls: Calls
    let store: any RecordingStore
    let signer: ContentURLSigner
    let urlLifetimeSeconds: Int
    /// What the API's own URLs start with.
    let origin: DownloadOrigin

    /// The content URL needs no API key: its signature is the proof, so it can be handed to a player.
    func addRoutes(to routes: AccessGroups) {
        routes.read.get("/calls/:id/download", use: link)
        routes.open.get("/recordings/:id/content", use: content)
    }

    var links: RecordingLinks<Calls> {
        RecordingLinks(calls: calls, store: store, signer: signer, urlLifetimeSeconds: urlLifetimeSeconds)
    }

    @Sendable func link(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let id = try callID(context)
        let requested = request.uri.queryParameters.get("format").map { String($0) }
        let base = origin.prefix(headers: request.headers, authority: request.head.authority)
        return try .json(try await links.link(toCall: id, format: requested, base: base))
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
        let variant = try DownloadVariant.choose(DownloadVariant.Format.parse(format), of: stored)

        let size = variant.sizeBytes
        var headers: HTTPFields = [
            .contentType: variant.contentType,
            .contentDisposition: ContentDisposition.attachment(filename: variant.filename),
            .eTag: "\"\(variant.sha256)\"",
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
            bytes = try await store.read(key: variant.storageKey, offset: first, length: length)
        } catch let error as RecordingStoreError where error.kind == .notFound {
            context.logger.error("a recording's stored file is missing", metadata: ["key": "\(variant.storageKey)"])
            throw Problem.recordingNotFound
        }
        headers[.contentLength] = String(length)
        return Response(
            status: status, headers: headers,
            body: ResponseBody(contentLength: Int(length)) { writer in
                try await writer.write(bytes)
                try await writer.finish(nil)
            })
    }
}
