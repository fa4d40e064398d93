import CallsCore
import CallsStore
import Foundation
import HTTPTypes
import Hummingbird
import Metrics
import NIOCore

/// `/cdrs` (role read): call detail records, newest first (by `start_time`, then id), as JSON pages or as
/// one CSV stream.
struct CdrsController: Sendable {
    let cdrs: any CdrReader
    /// Records per database read while streaming CSV: memory stays bounded by this, whatever the export's size.
    var csvPageSize = 1000

    func addRoutes(to routes: AccessGroups) {
        routes.read.get("/cdrs", use: list)
        routes.read.get("/cdrs/:id", use: get)
    }

    @Sendable func get(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let text = context.parameters.get("id") ?? ""
        // A malformed id names no record: 404 like an unknown one.
        guard let id = Int64(text), id > 0, let record = try await cdrs.cdr(id: id) else { throw Problem.cdrNotFound(text) }
        return StatisticsController.json(CdrJSONWriter.record(record))
    }

    @Sendable func list(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let query = try CdrListParameters.query(from: request.uri.queryParameters)
        if CdrCSV.isRequested(accept: request.headers[values: .accept]) { return try await csv(query, context: context) }
        let page = try await cdrs.cdrs(query)
        return StatisticsController.json(CdrJSONWriter.page(page.items, nextCursor: page.nextCursor?.token))
    }

    /// Every record the filters match (from `cursor` on, when given; `limit` does not apply), streamed in
    /// chunks, one keyset page of `csvPageSize` at a time. The first page is read before the answer starts,
    /// so a database that is away is still a 503; a failure later cuts the response off before its last
    /// chunk, which no client takes for a complete file. Pages are separate reads: a record added behind
    /// the position already passed is not in the file.
    func csv(_ query: CdrQuery, context: CallsRequestContext) async throws -> Response {
        var pageQuery = query
        pageQuery.limit = csvPageSize
        let first = try await cdrs.cdrs(pageQuery)
        let cdrs = self.cdrs
        let logger = context.logger
        return Response(
            status: .ok,
            headers: [.contentType: CdrCSV.contentType, .contentDisposition: #"attachment; filename="cdrs.csv""#],
            body: ResponseBody { [pageQuery] writer in
                var query = pageQuery
                var page = first
                var chunk = CdrCSV.header
                var rows = 0
                while true {
                    for record in page.items { chunk += CdrCSV.row(record) }
                    rows += page.items.count
                    try await writer.write(ByteBuffer(string: chunk))
                    chunk = ""
                    guard let next = page.nextCursor else { break }
                    query.after = next
                    do {
                        page = try await cdrs.cdrs(query)
                    } catch {
                        logger.warning("CSV export cut off", metadata: ["rows": "\(rows)", "error": "\(String(reflecting: error))"])
                        throw error
                    }
                }
                Counter(label: "calls_cdr_csv_rows_total").increment(by: rows)
                try await writer.finish(nil)
            })
    }
}
