import Hummingbird
import Logging
import Observability

/// `/healthz`: the process answers. `/readyz`: its dependencies answer too, so a load balancer only sends
/// traffic to an instance that can serve it. The endpoint is public, so the dependencies are asked at most
/// once a second however often it is called.
struct HealthController: Sendable {
    struct Check: Sendable {
        var name: String
        var probe: @Sendable () async throws -> Void
    }

    let checks: [Check]
    let probes: CachedRefresh<[String: String]>
    static var checkTimeout: Duration { .seconds(2) }

    init(checks: [Check], cacheInterval: Duration) {
        self.checks = checks
        probes = CachedRefresh(interval: cacheInterval)
    }

    func addRoutes(to router: Router<CallsRequestContext>) {
        router.get("/healthz") { _, _ in try Response.json(["status": "ok"]) }
        router.get("/readyz", use: ready)
    }

    struct Readiness: Encodable {
        var status: String
        var checks: [String: String]
    }

    @Sendable func ready(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let results = await readiness(logger: context.logger)
        let ready = results.values.allSatisfy { $0 == "ok" }
        var response = try Response.json(
            Readiness(status: ready ? "ready" : "not_ready", checks: results),
            status: ready ? .ok : .serviceUnavailable)
        if !ready { response.headers[.retryAfter] = "5" }
        return response
    }

    /// Each check's name with `ok` or `unavailable`, asked at most once per cache interval (gRPC's health
    /// service shares the answer).
    func readiness(logger: Logger) async -> [String: String] {
        let checks = self.checks
        return await probes.value {
            var results: [String: String] = [:]
            for check in checks {
                do {
                    try await withTimeout(Self.checkTimeout) { try await check.probe() }
                    results[check.name] = "ok"
                } catch {
                    logger.warning("readiness check failed", metadata: ["check": "\(check.name)", "error": "\(error)"])
                    results[check.name] = "unavailable"
                }
            }
            return results
        }
    }
}

struct TimeoutError: Error, CustomStringConvertible {
    var description: String { "timed out" }
}

/// Runs `operation`, giving up after `limit`.
func withTimeout<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TimeoutError()
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
