import Hummingbird

/// Turns "no route" into 405 with `Allow` when the path is one the API serves, just not with this method
/// (RFC 9110 §15.5.6): a client that PUTs where it should PATCH learns what to do instead of being told the
/// resource does not exist. Hummingbird itself answers 404 for both.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    private struct Route {
        var components: [Substring]
        var methods: [HTTPRequest.Method]
    }

    private let routes: [Route]

    /// `routes`: the router's own, once every route is added.
    init(routes: [Router<Context>.RouteDescription]) {
        var byPath: [String: Route] = [:]
        for route in routes {
            let path = route.path.description
            byPath[path, default: Route(components: Self.components(path), methods: [])].methods.append(route.method)
        }
        self.routes = Array(byPath.values)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let path = Self.components(request.uri.path)
            let allowed = routes.filter { Self.matches($0.components, path) }.flatMap(\.methods)
            guard !allowed.isEmpty, !allowed.contains(request.method) else { throw error }
            var problem = Problem(
                .methodNotAllowed, code: "method_not_allowed", title: "Method not allowed",
                detail: "\(request.method.rawValue) is not supported here; use \(Self.list(allowed)).")
            problem.headers[.allow] = Self.list(allowed)
            throw problem
        }
    }

    private static func components(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    private static func matches(_ pattern: [Substring], _ path: [Substring]) -> Bool {
        pattern.count == path.count && zip(pattern, path).allSatisfy { $0.hasPrefix("{") || $0.hasPrefix(":") || $0 == $1 }
    }

    private static func list(_ methods: [HTTPRequest.Method]) -> String {
        Set(methods.map(\.rawValue)).sorted().joined(separator: ", ")
    }
}
