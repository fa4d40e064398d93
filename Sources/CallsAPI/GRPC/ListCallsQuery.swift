import CallsCore
import CallsProto

/// `ListCallsRequest` as the values of `GET /calls`' parameters, so that gRPC lists with REST's own checks:
/// the same filters, limits and cursor rules, the same field names in a 422 (`cursor` for `page_token`,
/// `status` for `statuses`).
enum ListCallsQuery {
    static func values(of request: Calls_V1_ListCallsRequest) throws -> CallListParameters.Values {
        var values = CallListParameters.Values()
        if request.hasQuery { values.query = request.query }
        if request.hasPhone { values.phone = request.phone }
        if request.hasFrom { values.from = request.from.requestText }
        if request.hasTo { values.to = request.to.requestText }
        if !request.statuses.isEmpty {
            var names: [String] = []
            for status in request.statuses {
                guard let known = status.callStatus else {
                    throw Problem.validation(field: "status", "must be created, processing, ready or failed")
                }
                names.append(known.rawValue)
            }
            values.status = names.joined(separator: ",")
        }
        if request.hasTag { values.tag = request.tag }
        if request.hasSort { values.sort = request.sort }
        if request.hasLimit { values.limit = String(request.limit) }
        if request.hasPageToken { values.cursor = request.pageToken }
        return values
    }
}
