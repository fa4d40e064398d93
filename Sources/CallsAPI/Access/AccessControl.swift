import CallsCore
import Foundation
import Hummingbird
import JobQueue
import Logging
import Metrics

/// API keys and their rate limit. Routes are registered in a group per role (`AccessGroups`), and the
/// group's `RequireRole` middleware runs only once the route has matched, so what a request needs is decided
/// by the route it reaches, never by reading the path a second time.
public struct AccessControl: Sendable {
    let settings: AccessSettings
    /// Nil with `CALLS_AUTH=off`: every request is let through.
    let authenticator: APIKeyAuthenticator?
    let limiter: (any RateLimiter)?

    init(settings: AccessSettings, authenticator: APIKeyAuthenticator?, limiter: (any RateLimiter)?) {
        self.settings = settings
        self.authenticator = settings.authentication ? authenticator : nil
        self.limiter = limiter
    }

    /// No keys, no limits: route tests and `CALLS_AUTH=off`.
    static let open = AccessControl(settings: .open, authenticator: nil, limiter: nil)
}

extension AccessControl {
    /// The key behind `authorization` if its role includes `role` and it is within its rate; otherwise the
    /// problem to answer: 401 without a valid key, 403 when its role is below `role`, 429 over its rate. Nil
    /// when keys are not checked (`CALLS_AUTH=off`). Both transports admit requests here.
    func admit(authorization: String?, client: String, role: APIRole, logger: Logger) async throws -> APIKeyAuthenticator.Identity? {
        guard let authenticator else { return nil }
        let identity = try await authenticator.authenticate(authorization: authorization, client: client)
        guard identity.role.includes(role) else { throw Problem.insufficientRole(needed: role, held: identity.role) }
        if let limiter, let perSecond = settings.requestsPerSecond {
            let decision: RateDecision
            do {
                decision = try await limiter.take(key: identity.keyID.lowercasedString, perSecond: perSecond, burst: settings.burst)
            } catch {
                // Reads must keep working while Redis is away or refuses (OOM, LOADING, READONLY, BUSY): PostgreSQL
                // holds the calls, and limits resume with Redis.
                logger.warning("rate limit not applied: redis failed", metadata: ["error": "\(error)"])
                Counter(label: "calls_rate_limit_skipped_total").increment()
                decision = .allowed
            }
            if !decision.allowed { throw Problem.rateLimited(retryAfter: decision.retryAfter ?? .seconds(1)) }
        }
        return identity
    }
}

/// Answers 401, 403 or 429 as `AccessControl.admit` decides; otherwise hands on, with the key's id in every
/// log line of the request.
struct RequireRole<Context: RequestContext>: RouterMiddleware {
    let role: APIRole
    let access: AccessControl

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let client = (context as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress ?? ""
        guard
            let identity = try await access.admit(
                authorization: request.headers[.authorization], client: client, role: role, logger: context.logger)
        else { return try await next(request, context) }
        var context = context
        context.logger[metadataKey: "api_key_id"] = .string(identity.keyID.lowercasedString)
        return try await next(request, context)
    }
}

/// Where routes go: a group per role, plus the public routes (health, metrics, the contract, signed
/// download URLs, which carry their own proof).
struct AccessGroups {
    let open: Router<CallsRequestContext>
    let read: RouterGroup<CallsRequestContext>
    let write: RouterGroup<CallsRequestContext>
    let admin: RouterGroup<CallsRequestContext>

    init(router: Router<CallsRequestContext>, access: AccessControl) {
        open = router
        read = router.group().add(middleware: RequireRole(role: .read, access: access))
        write = router.group().add(middleware: RequireRole(role: .write, access: access))
        admin = router.group().add(middleware: RequireRole(role: .admin, access: access))
    }
}
