import Hummingbird

/// Turns every error that escapes a route into a problem response (`Problem.answering`).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Problem.answering(error, logger: context.logger).response()
        }
    }
}
