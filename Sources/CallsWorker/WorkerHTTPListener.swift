import CallsStore
import Hummingbird
import JobQueue
import Observability
import Prometheus

/// The worker's small HTTP face: `/metrics` for Prometheus, `/healthz`, and `/readyz` (PostgreSQL and Redis
/// both answer, and no job fetch is stuck).
enum WorkerHTTPListener {
    static func make(
        host: String, port: Int, exporter: MetricsExporter, keeper: any LeaseKeeper, queue: RedisJobQueue,
        watchdog: FetchWatchdog
    ) -> some ApplicationProtocol {
        let router = Router()
        exporter.addRoute(to: router)
        router.get("/healthz") { _, _ in "ok" }
        router.get("/readyz") { _, _ -> Response in
            if let problem = watchdog.problem() {
                return Response(
                    status: .serviceUnavailable, headers: [.retryAfter: "5"],
                    body: .init(byteBuffer: ByteBuffer(string: "not ready: \(problem)")))
            }
            do {
                try await queue.ping()
                _ = try await keeper.oldestUnfinishedAge()
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ready")))
            } catch {
                return Response(
                    status: .serviceUnavailable, headers: [.retryAfter: "5"],
                    body: .init(byteBuffer: ByteBuffer(string: "not ready: \(error)")))
            }
        }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "calls-worker"))
    }
}
