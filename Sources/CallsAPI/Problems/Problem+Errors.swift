import CallsStore
import Hummingbird
import JobQueue
import Logging
import RecordingStorage

extension Problem {
    /// The problem any error that escapes a request becomes, over either transport: Hummingbird's own (unknown
    /// route, bad method), dependency outages (database, queue, storage: 503 with `Retry-After`), and
    /// anything unexpected (500, logged, no details leaked).
    static func answering(_ error: any Error, logger: Logger) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as HTTPError:
            return problem(for: error)
        case let error as RedisError where error.kind == .connection:
            logger.warning("redis unavailable", metadata: ["error": "\(error)"])
            return .unavailable("queue")
        case let error as RecordingStoreError where error.kind == .io:
            // A full disk or a vanished mount: the operator must act, the client can only come back later.
            logger.error("recording storage failed", metadata: ["error": "\(error)"])
            return .unavailable("storage")
        case let error where DatabaseErrors.isUnavailable(error):
            logger.warning("database unavailable", metadata: ["error": "\(String(reflecting: error))"])
            return .unavailable("database")
        default:
            logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            return .internalError
        }
    }

    static func problem(for error: HTTPError) -> Problem {
        switch error.status {
        case .notFound:
            Problem(.notFound, code: "not_found", title: "Not found", detail: error.body ?? "No such resource.")
        case .methodNotAllowed:
            Problem(
                .methodNotAllowed, code: "method_not_allowed", title: "Method not allowed",
                detail: error.body ?? "This resource does not support that method.")
        case .contentTooLarge:
            Problem(
                .contentTooLarge, code: "payload_too_large", title: "Body too large",
                detail: error.body ?? "The request body is too large.")
        case .badRequest:
            Problem(.badRequest, code: "bad_request", title: "Bad request", detail: error.body ?? "The request is malformed.")
        default:
            Problem(
                error.status, code: "http_\(error.status.code)", title: error.status.reasonPhrase,
                detail: error.body ?? error.status.reasonPhrase)
        }
    }
}
