import CallsCore
import CallsStore
import Foundation
import Hummingbird

/// How the fetchers of `CALLS_SOURCES` are doing (role read): `GET /sources` lists every (source, collection)
/// that ever ran with its cursor, counts, last success and last error; `GET /sources/{source}/rejects` the
/// items a source sent that failed validation, newest first.
struct SourcesController: Sendable {
    let reader: any SourceStatusReader

    func addRoutes(to routes: AccessGroups) {
        routes.read.get("/sources", use: list)
        routes.read.get("/sources/:source/rejects", use: rejects)
    }

    struct Sources: Encodable {
        var sources: [SourceStatus]
    }

    struct Rejects: Encodable {
        var source: String
        var rejects: [RejectJSON]
    }

    /// The item as the object it was, not as a string of JSON.
    struct RejectJSON: Encodable {
        var id: Int64
        var collection: String
        var itemId: Int64?
        var reason: String
        var item: SourceJSON
        var rejectedAt: Date

        init(_ record: SourceRejectRecord) {
            id = record.id
            collection = record.collection
            itemId = record.itemID
            reason = record.reason
            item = (try? JSONDecoder().decode(SourceJSON.self, from: Data(record.item.utf8))) ?? .string(record.item)
            rejectedAt = record.rejectedAt
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(collection, forKey: .collection)
            // Present as null when the item had no readable id: every key is always there.
            try container.encode(itemId, forKey: .itemId)
            try container.encode(reason, forKey: .reason)
            try container.encode(item, forKey: .item)
            try container.encode(rejectedAt, forKey: .rejectedAt)
        }

        enum CodingKeys: String, CodingKey {
            case id, collection, itemId, reason, item, rejectedAt
        }
    }

    @Sendable func list(_ request: Request, context: CallsRequestContext) async throws -> Response {
        try .json(Sources(sources: try await reader.statuses()))
    }

    @Sendable func rejects(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let source = try context.parameters.require("source")
        let limitText = request.uri.queryParameters.get("limit") ?? "100"
        guard let limit = Int(limitText), (1...1000).contains(limit) else {
            throw Problem.validation(field: "limit", "must be a whole number from 1 to 1000")
        }
        let records = try await reader.rejects(source: source, limit: limit)
        return try .json(Rejects(source: source, rejects: records.map(RejectJSON.init)))
    }
}
