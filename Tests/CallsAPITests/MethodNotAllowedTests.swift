import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

/// A path the API serves, asked with a method it does not support there, is 405 with `Allow`; a path it
/// does not serve stays 404.
@Suite struct MethodNotAllowedTests {
    @Test(arguments: [
        (HTTPRequest.Method.put, "/calls", "GET, POST"),
        (.put, "/calls/", "GET, POST"),
        (.post, "/calls/5c3cbcc2-7bf7-4812-a538-f0f185119cf8", "DELETE, GET, PATCH"),
        (.delete, "/calls/x/recording", "POST"),
        (.init("TRACE")!, "/healthz", "GET"),
    ])
    func aKnownPathWithAnotherMethodIs405(method: HTTPRequest.Method, path: String, allow: String) async throws {
        try await RouteHarness.run { _, client in
            try await client.execute(uri: path, method: method) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == allow)
                #expect(problemCode(response) == "method_not_allowed")
            }
        }
    }

    @Test func anUnknownPathIsStill404() async throws {
        try await RouteHarness.run { _, client in
            try await client.execute(uri: "/nowhere", method: .put) { response in
                #expect(response.status == .notFound)
                #expect(problemCode(response) == "not_found")
            }
        }
    }
}
