import CallsStore
import Hummingbird
import JobQueue
import Logging
import RecordingStorage

/// Turns every error that escapes a route into a problem response: Hummingbird's own (unknown route, bad
/// method), dependency outages (database, queue, storage: 503 with `Retry-After`), and anything unexpected
/// (500, logged, no details leaked).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return problem.response()
        } catch let error as HTTPError {
            return Self.problem(for: error).response()
        } catch let error as RedisError where error.kind == .connection {
            context.logger.warning("redis unavailable", metadata: ["error": "\(error)"])
            return Problem.unavailable("queue").response()
        } catch let error as RecordingStoreError where error.kind == .io {
            // A full disk or a vanished mount: the operator must act, the client can only come back later.
            context.logger.error("recording storage failed", metadata: ["error": "\(error)"])
            return Problem.unavailable("storage").response()
        } catch  where DatabaseErrors.isUnavailable(error) {
            context.logger.warning("database unavailable", metadata: ["error": "\(String(reflecting: error))"])
            return Problem.unavailable("database").response()
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            return Problem.internalError.response()
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
