import CallsCore
import CallsProto
import Foundation
import Hummingbird
import HummingbirdCore

/// `ListCallsRequest` as the query string of `GET /calls`, so that gRPC lists with REST's own parsing and
/// validation: the same filters, limits and cursor rules, the same field names in a 422 (`cursor` for
/// `page_token`, `status` for `statuses`).
enum ListCallsQuery {
    static func parameters(of request: Calls_V1_ListCallsRequest) throws -> Parameters {
        var items: [(String, String)] = []
        if request.hasQuery { items.append(("query", request.query)) }
        if request.hasPhone { items.append(("phone", request.phone)) }
        if request.hasFrom { items.append(("from", Timestamp.format(request.from.date))) }
        if request.hasTo { items.append(("to", Timestamp.format(request.to.date))) }
        if !request.statuses.isEmpty {
            var names: [String] = []
            for status in request.statuses {
                guard let known = status.callStatus else {
                    throw Problem.validation(field: "status", "must be created, processing, ready or failed")
                }
                names.append(known.rawValue)
            }
            items.append(("status", names.joined(separator: ",")))
        }
        if request.hasTag { items.append(("tag", request.tag)) }
        if request.hasSort { items.append(("sort", request.sort)) }
        if request.hasLimit { items.append(("limit", String(request.limit))) }
        if request.hasPageToken { items.append(("cursor", request.pageToken)) }
        let query = items.map { "\($0.0)=\(escape($0.1))" }.joined(separator: "&")
        return URI("/calls?\(query)").queryParameters
    }

    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    private static func escape(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}
