import CallsCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// JSON requests over a test client (in-memory router or live socket alike), answered as a status and a
/// body to decode into the API's types.
extension TestClientProtocol {
    public func json(
        _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, headers: HTTPFields = [:]
    ) async throws -> (HTTPResponse.Status, JSONBody) {
        var fields = headers
        if fields[.contentType] == nil { fields[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) }) { response in
            (response.status, JSONBody(response.body))
        }
    }

    /// The answer decoded as `T`; throws, with the body, when it is not a `T` (a problem instead, say).
    public func json<T: Decodable>(
        _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, headers: HTTPFields = [:], as type: T.Type
    ) async throws -> (HTTPResponse.Status, T) {
        let (status, answer) = try await json(method, uri, body, headers: headers)
        return (status, try answer.decode(type))
    }

    /// `GET /calls/{id}`, which must answer 200.
    public func call(_ id: String) async throws -> Call {
        let (status, body) = try await json(.get, "/calls/\(id)")
        guard status == .ok else { throw TestSetupError("GET /calls/\(id) answered \(status): \(body)") }
        return try body.decode(Call.self)
    }

    /// Creates a call and returns its id. The defaults are one fixed pair of numbers and no tags; a test
    /// that depends on either says so.
    public func createCall(
        caller: String = "+7 900 123-45-67", receiver: String = "+44 20 7946 0958", tags: [String] = []
    ) async throws -> String {
        let tagList = tags.map { "\"\($0)\"" }.joined(separator: ", ")
        let (status, body) = try await json(
            .post, "/calls",
            """
            {"caller": "\(caller)", "receiver": "\(receiver)", "started_at": "2026-11-21T09:30:00Z", "tags": [\(tagList)]}
            """)
        guard status == .created else { throw TestSetupError("POST /calls answered \(status): \(body)") }
        return try body.decode(Call.self).id.lowercasedString
    }
}

/// A step of a test's setup failed: the test cannot check what it is about.
public struct TestSetupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
