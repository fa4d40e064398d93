import CallsCore
import CallsStore
import Foundation
import Hummingbird
import JobQueue

/// The delivery state of CDR exports (role `read`): `GET /cdrs/{id}/deliveries` and `GET /exports`; and the
/// operator's retry of a consumer's failed deliveries (role `admin`): `POST /admin/cdr-exports/{consumer}/retry`.
struct CdrExportsController {
    let exports: PostgresCdrExports
    /// Closes the dead export jobs of the batches a retry closes, so `/admin/dead` no longer lists them.
    let queue: any JobPublisher

    func addRoutes(to routes: AccessGroups) {
        routes.read.get("/cdrs/:id/deliveries", use: deliveries)
        routes.read.get("/exports", use: consumers)
        routes.admin.post("/admin/cdr-exports/:consumer/retry", use: retry)
    }

    struct Deliveries: Encodable {
        var cdrId: Int64
        var version: Int
        var deliveries: [CdrDelivery]
    }

    @Sendable func deliveries(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text), id > 0, let found = try await exports.deliveries(cdrID: id) else {
            throw Problem(.notFound, code: "cdr_not_found", title: "CDR not found", detail: "No CDR has the id '\(text)'.")
        }
        return try .json(Deliveries(cdrId: id, version: found.version, deliveries: found.deliveries))
    }

    struct Consumers: Encodable {
        var consumers: [CdrExportConsumerState]
    }

    @Sendable func consumers(_ request: Request, context: CallsRequestContext) async throws -> Response {
        try .json(Consumers(consumers: try await exports.consumerStates()))
    }

    struct Retried: Encodable {
        var consumer: String
        var requeued: Int
        var closedBatches: Int
    }

    @Sendable func retry(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let consumer = (context.parameters.get("consumer") ?? "").lowercased()
        guard let retried = try await exports.retryFailed(consumer: consumer) else {
            throw Problem(
                .notFound, code: "cdr_consumer_not_found", title: "No such CDR consumer",
                detail: "No CDR export has ever been scheduled for a consumer named '\(consumer)'.")
        }
        for batch in retried.closedBatches { try await queue.withdraw(Job(kind: .export, callID: batch)) }
        return try .json(
            Retried(consumer: consumer, requeued: retried.requeued, closedBatches: retried.closedBatches.count), status: .accepted)
    }
}
