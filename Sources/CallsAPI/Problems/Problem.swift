import CallsCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An RFC 9457 problem: the only shape errors leave the API in. Clients switch on `code`, people read
/// `detail`.
public struct Problem: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var title: String
    public var detail: String
    public var fieldErrors: [ValidationFailure.FieldError]?
    public var retryAfterSeconds: Int?
    /// Further response headers, such as the `WWW-Authenticate` challenge of a 401.
    public var headers: HTTPFields = [:]

    public init(
        _ status: HTTPResponse.Status, code: String, title: String, detail: String,
        fieldErrors: [ValidationFailure.FieldError]? = nil, retryAfterSeconds: Int? = nil
    ) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.fieldErrors = fieldErrors
        self.retryAfterSeconds = retryAfterSeconds
    }

    public static let contentType = "application/problem+json"

    private struct Body: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var code: String
        var errors: [ValidationFailure.FieldError]?
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    public func response() -> Response {
        let body = Body(
            type: "urn:calls:problem:\(code)",
            title: title, status: status.code, detail: detail, code: code, errors: fieldErrors)
        let data = (try? JSONCoding.makeEncoder().encode(body)) ?? Data()
        var headers = self.headers
        headers[.contentType] = Self.contentType
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension Problem {
    static func callNotFound(_ id: String) -> Problem {
        Problem(.notFound, code: "call_not_found", title: "Call not found", detail: "No call has the id '\(id)'.")
    }

    static func validation(_ failure: ValidationFailure) -> Problem {
        Problem(
            .unprocessableContent, code: "validation_failed", title: "Invalid request",
            detail: failure.summary, fieldErrors: failure.errors)
    }

    static func validation(field: String, _ message: String) -> Problem {
        validation(ValidationFailure(field: field, message: message))
    }

    static let recordingExists = Problem(
        .conflict, code: "recording_already_exists", title: "Recording already exists",
        detail: "This call already has a recording; the stored file was left unchanged.")

    static func payloadTooLarge(limit: Int64) -> Problem {
        Problem(
            .contentTooLarge, code: "payload_too_large", title: "Recording too large",
            detail: "Recordings may be at most \(limit) bytes.")
    }

    static func unsupportedMedia(_ reason: String) -> Problem {
        Problem(
            .unprocessableContent, code: "unsupported_media", title: "Not a supported audio file",
            detail: "The uploaded file is not audio this service can decode: \(reason).")
    }

    static func invalidMultipart(_ reason: String) -> Problem {
        Problem(.badRequest, code: "invalid_multipart", title: "Malformed multipart body", detail: reason)
    }

    static func multipartHeadersTooLarge(_ reason: String) -> Problem {
        Problem(
            .init(code: 431, reasonPhrase: "Request Header Fields Too Large"), code: "multipart_headers_too_large",
            title: "Multipart part headers too large", detail: "The upload was refused: \(reason).")
    }

    static func tooManyParts(limit: Int) -> Problem {
        Problem(
            .badRequest, code: "too_many_parts", title: "Too many multipart parts",
            detail: "An upload may have at most \(limit) parts; send the recording in the field 'file'.")
    }

    static func uploadTooSlow(bytesPerSecond: Int) -> Problem {
        Problem(
            .requestTimeout, code: "upload_too_slow", title: "Upload too slow",
            detail: "The upload arrived at less than \(bytesPerSecond) bytes per second on average; it was abandoned.")
    }

    static let multipartRequired = Problem(
        .unsupportedMediaType, code: "multipart_required", title: "Multipart upload required",
        detail: "Send the recording as multipart/form-data with the file in the field 'file'.")

    static func unavailable(_ dependency: String) -> Problem {
        Problem(
            .serviceUnavailable, code: "\(dependency)_unavailable", title: "Service temporarily unavailable",
            detail: "The \(dependency) is not reachable right now; retry shortly.", retryAfterSeconds: 5)
    }

    static func queueNotFound(_ name: String) -> Problem {
        Problem(
            .notFound, code: "queue_not_found", title: "Queue not found",
            detail: "No agent, waiting caller or count today is known for the queue '\(name)'.")
    }

    static func eventsTooLarge(limit: Int) -> Problem {
        Problem(
            .contentTooLarge, code: "events_too_large", title: "Too many bytes of events",
            detail: "A POST /events body may be at most \(limit) bytes; send the rest in further requests.")
    }

    static func tooManyEvents(limit: Int) -> Problem {
        Problem(
            .contentTooLarge, code: "too_many_events", title: "Too many events",
            detail: "A POST /events body may hold at most \(limit) lines or events; send the rest in further requests.")
    }

    static func invalidEventsBody(_ reason: String) -> Problem {
        Problem(.badRequest, code: "invalid_events_body", title: "Unreadable events", detail: "The body was refused: \(reason).")
    }

    static func unsupportedEventsType(_ contentType: String?) -> Problem {
        Problem(
            .unsupportedMediaType, code: "unsupported_content_type", title: "Unsupported Content-Type",
            detail: "Send queue_log lines as text/plain (with ?source=&offset=), or JSON events as application/json "
                + "(an array) or application/x-ndjson (one object per line); got '\(contentType ?? "none")'.")
    }

    static let eventsBacklogFull = Problem(
        .serviceUnavailable, code: "events_backlog_full", title: "Events backlog full",
        detail: "The service holds as many unapplied events as it may; retry shortly, nothing of this request was taken.",
        retryAfterSeconds: 5)

    static let internalError = Problem(
        .internalServerError, code: "internal_error", title: "Internal error",
        detail: "The request failed unexpectedly; it has been logged.")

    static let recordingNotFound = Problem(
        .notFound, code: "recording_not_found", title: "Recording not found",
        detail: "There is no such recording, or the call has none yet.")

    static let recordingPrivate = Problem(
        .forbidden, code: "recording_private", title: "Recording is private",
        detail: "The call is tagged 'private': its recording cannot be downloaded.")

    static let urlSignatureInvalid = Problem(
        .forbidden, code: "url_signature_invalid", title: "Invalid download URL",
        detail: "The download URL's signature does not match; ask GET /calls/{id}/download for a new one.")

    static let urlExpired = Problem(
        .forbidden, code: "url_expired", title: "Download URL expired",
        detail: "The download URL has expired; ask GET /calls/{id}/download for a new one.")

    static func archiveNotFound(_ archive: RecordingArchive?) -> Problem {
        let state =
            switch archive?.status {
            case nil: "No MP3 archive of this recording is made."
            case .pending, .archiving: "The MP3 archive of this recording is not made yet."
            case .failed: "Making the MP3 archive of this recording failed: \(archive?.error ?? "unknown error")."
            case .done: "The MP3 archive of this recording is missing."
            }
        return Problem(.notFound, code: "archive_not_found", title: "No MP3 archive", detail: state + " Download format=original.")
    }

    static let idempotencyKeyReused = Problem(
        .unprocessableContent, code: "idempotency_key_reused", title: "Idempotency key reused",
        detail: "This Idempotency-Key was used for a different request; use a new key for a new call.")

    static let originalNotKept = Problem(
        .notFound, code: "original_not_kept", title: "Original not kept",
        detail: "The uploaded original was replaced by its MP3 archive (CALLS_KEEP_ORIGINAL=false); download format=mp3.")

    static func rangeNotSatisfiable(size: Int64) -> Problem {
        Problem(
            .rangeNotSatisfiable, code: "range_not_satisfiable", title: "Range not satisfiable",
            detail: "The requested byte range is not within the recording's \(size) bytes.")
    }
}

extension Problem {
    static var authenticationRequired: Problem {
        var problem = Problem(
            .unauthorized, code: "authentication_required", title: "API key required",
            detail: "Send an API key in the Authorization header: 'Authorization: Bearer <key>'.")
        problem.headers[.wwwAuthenticate] = #"Bearer realm="calls""#
        return problem
    }

    static var invalidAPIKey: Problem {
        var problem = Problem(
            .unauthorized, code: "invalid_api_key", title: "Invalid API key",
            detail: "The API key is malformed, unknown or revoked.")
        problem.headers[.wwwAuthenticate] = #"Bearer realm="calls", error="invalid_token""#
        return problem
    }

    static func insufficientRole(needed: APIRole, held: APIRole) -> Problem {
        var problem = Problem(
            .forbidden, code: "insufficient_role", title: "API key lacks the role",
            detail: "This request needs a key with the '\(needed.rawValue)' role; this key has '\(held.rawValue)'.")
        problem.headers[.wwwAuthenticate] = #"Bearer realm="calls", error="insufficient_scope""#
        return problem
    }

    static func rateLimited(retryAfter: Duration) -> Problem {
        let seconds = wholeSeconds(retryAfter)
        return Problem(
            .tooManyRequests, code: "rate_limited", title: "Too many requests",
            detail: "This API key is over its rate limit; retry after \(seconds) s.", retryAfterSeconds: seconds)
    }

    static func keyLookupsLimited(retryAfter: Duration) -> Problem {
        let seconds = wholeSeconds(retryAfter)
        return Problem(
            .tooManyRequests, code: "rate_limited", title: "Too many requests",
            detail: "Too many unknown API keys from this address; retry after \(seconds) s.", retryAfterSeconds: seconds)
    }

    /// Whole seconds, rounded up, and never 0: a client told "0" would retry at once and be refused again.
    private static func wholeSeconds(_ duration: Duration) -> Int {
        max(1, Int((Double(duration / .milliseconds(1)) / 1000).rounded(.up)))
    }
}
