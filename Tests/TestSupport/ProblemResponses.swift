import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The `code` of a problem+json response.
public func problemCode(_ response: TestResponse) -> String? {
    JSONBody(response.body).problem?.code
}

extension TestClientProtocol {
    /// The status of a JSON request, with an API key when one is given.
    public func status(
        _ method: HTTPRequest.Method, _ uri: String, key: String? = nil, body: String? = nil
    ) async throws -> HTTPResponse.Status {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let key { headers[.authorization] = "Bearer \(key)" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { $0.status }
    }

    public func expectStatus(
        _ expected: HTTPResponse.Status, _ method: HTTPRequest.Method, _ uri: String, key: String? = nil, body: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let answered = try await status(method, uri, key: key, body: body)
        #expect(answered == expected, "\(method) \(uri)", sourceLocation: sourceLocation)
    }
}
