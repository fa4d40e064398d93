import CallsCore
import CallsStore
import Foundation
import Hummingbird
import JobQueue
import RecordingStorage

/// `/calls`: create, read, list, tag and delete calls. Generic over the repository so route tests can use an
/// in-memory twin while production uses PostgreSQL.
struct CallsController<Calls: CallRepository & Outbox & UploadLedger> {
    let calls: Calls
    let uploads: RecordingUploadHandler<Calls>
    let store: any RecordingStore
    let queue: any JobPublisher
    let watch: CallWatch<Calls>
    let callbacks: CallbackPolicy?

    /// Paths are those existing clients call (see the OpenAPI contract); a trailing slash is accepted as the
    /// same path, without a redirect.
    func addRoutes(to routes: AccessGroups) {
        routes.write.post("/calls", use: create)
        routes.read.get("/calls", use: list)
        routes.read.get("/calls/:id", use: get)
        routes.read.get("/calls/:id/events", use: watch.events)
        routes.write.patch("/calls/:id", use: patch)
        routes.write.delete("/calls/:id", use: delete)
        routes.write.post("/calls/:id/recording", use: uploads.upload)
    }

    /// With an `Idempotency-Key`, a retried request gets the call the first one made (201 again, with
    /// `Idempotency-Replayed: true`) instead of a second call; the key with a different body is 422.
    @Sendable func create(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let key = try IdempotencyKeyHeader.value(of: request)
        let body: NewCallRequest
        do {
            body = try await request.decode(as: NewCallRequest.self, context: context)
        } catch {
            throw Problem.validation(field: "body", "must be a JSON object with caller, receiver and started_at")
        }
        let newCall: NewCall
        do {
            newCall = try body.validated(callbacks: callbacks)
        } catch {
            throw Problem.validation(error)
        }
        switch try await calls.create(newCall, idempotencyKey: key) {
        case .created(let call):
            return try .json(call, status: .created)
        case .replayed(let call):
            var response = try Response.json(call, status: .created)
            response.headers[IdempotencyKeyHeader.replayed] = "true"
            return response
        case .keyReused:
            throw Problem.idempotencyKeyReused
        }
    }

    /// With `?wait=N`, answers once the status changes (or at once when it is final), or after N seconds.
    @Sendable func get(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let id = try callID(context)
        if let seconds = try CallWatch<Calls>.waitSeconds(request) {
            return try .json(try await watch.call(id, changingWithin: seconds))
        }
        guard let call = try await calls.find(id: id) else { throw Problem.callNotFound(id.lowercasedString) }
        return try .json(call)
    }

    /// Replaces the call's tags (`{"tags": [...]}`), normalized as at creation. Tagging a call `private`
    /// stops every download through the API at once, including its own URLs handed out before; a presigned
    /// bucket URL is checked by the bucket alone and works until it expires.
    @Sendable func patch(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let id = try callID(context)
        let body: CallPatchRequest
        do {
            body = try await request.decode(as: CallPatchRequest.self, context: context)
        } catch {
            throw Problem.validation(field: "body", "must be a JSON object with tags")
        }
        let tags: [String]
        do {
            tags = try body.validatedTags()
        } catch {
            throw Problem.validation(error)
        }
        guard let call = try await calls.updateTags(id: id, tags: tags) else { throw Problem.callNotFound(id.lowercasedString) }
        return try .json(call)
    }

    /// Removes the call, its recording (the stored object too) and its queued job. Deleting a call that is
    /// not there (any more) is 204 as well: a retried DELETE must not look like a failure.
    @Sendable func delete(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let id = try callID(context)
        // The job first: a worker that already holds it finds the call gone and drops it.
        try await queue.withdrawJobs(of: id)
        let store = self.store
        _ = try await calls.delete(id: id) { key in try await store.remove(key: key) }
        return Response(status: .noContent)
    }

    struct CallList: Encodable {
        var total: Int
        /// True when `total` is the planner's estimate (more than `CallPage.exactTotalLimit` matches).
        var totalEstimated: Bool
        var items: [Call]
        var nextCursor: String?

        private enum CodingKeys: String, CodingKey { case total, totalEstimated, items, nextCursor }

        /// `next_cursor` is present as `null` on the last page, so a client sees one stable shape.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(total, forKey: .total)
            try container.encode(totalEstimated, forKey: .totalEstimated)
            try container.encode(items, forKey: .items)
            try container.encode(nextCursor, forKey: .nextCursor)
        }
    }

    @Sendable func list(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let page = try await calls.list(try CallListParameters.query(from: .init(request.uri.queryParameters)))
        return try .json(
            CallList(
                total: page.total, totalEstimated: page.totalIsEstimate, items: page.items, nextCursor: page.nextCursor?.token))
    }
}

/// The call id of a `/calls/:id/...` path. A malformed id names no call, so it is a 404 like an unknown one.
func callID(_ context: CallsRequestContext) throws -> UUID {
    let text = context.parameters.get("id") ?? ""
    guard let id = UUID(uuidString: text) else { throw Problem.callNotFound(text) }
    return id
}
