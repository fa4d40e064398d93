import CallsCore
import CallsStore
import Foundation
import Hummingbird
import JobQueue

/// `/admin`: the queue's figures, its dead jobs, and retrying one; keys with the `admin` role only.
struct AdminController {
    let queue: RedisJobQueue
    let registry: WorkerRegistry
    let leases: any AnalysisLeases
    let archives: any ArchiveLeases
    let callbacks: any CallbackLeases

    func addRoutes(to router: RouterGroup<CallsRequestContext>) {
        router.get("/admin/queue", use: statistics)
        router.get("/admin/dead", use: deadJobs)
        router.post("/admin/dead/:id/retry", use: retry)
    }

    @Sendable func statistics(_ request: Request, context: CallsRequestContext) async throws -> Response {
        try .json(try await queue.statistics(registry: registry))
    }

    struct DeadList: Encodable {
        var total: Int
        var items: [RedisJobQueue.DeadJob]
    }

    @Sendable func deadJobs(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let limitText = request.uri.queryParameters.get("limit") ?? "100"
        guard let limit = Int(limitText), (1...1000).contains(limit) else {
            throw Problem.validation(field: "limit", "must be a whole number from 1 to 1000")
        }
        let items = try await queue.deadJobs(limit: limit)
        return try .json(DeadList(total: try await queue.statistics(registry: registry).dead, items: items))
    }

    /// Retries the dead job of call `id`: its analysis (the call goes back to `processing` with fresh
    /// attempts), else its archive (the archive goes back to `pending`; the call stays `ready`), else its
    /// callback (it goes back to `pending` with fresh attempts).
    @Sendable func retry(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let id = try callID(context)
        let analysis = Job(kind: .analyze, callID: id)
        if try await queue.isDead(analysis.payload) {
            _ = try await leases.resetForRetry(callID: id)
            _ = try await queue.retryDead(analysis.payload)
            return try .json(
                ["call_id": id.lowercasedString, "job": "analyze", "status": CallStatus.processing.rawValue], status: .accepted)
        }
        let archive = Job(kind: .archive, callID: id)
        if try await queue.isDead(archive.payload) {
            _ = try await archives.resetForRetry(callID: id)
            _ = try await queue.retryDead(archive.payload)
            return try .json(
                ["call_id": id.lowercasedString, "job": "archive", "status": RecordingArchive.Status.pending.rawValue],
                status: .accepted)
        }
        let callback = Job(kind: .callback, callID: id)
        if try await queue.isDead(callback.payload) {
            _ = try await callbacks.resetForRetry(callID: id)
            _ = try await queue.retryDead(callback.payload)
            return try .json(["call_id": id.lowercasedString, "job": "callback", "status": "pending"], status: .accepted)
        }
        throw Problem(
            .notFound, code: "dead_job_not_found", title: "No dead job",
            detail: "Call '\(id.lowercasedString)' has no dead analysis, archive or callback job to retry.")
    }
}
