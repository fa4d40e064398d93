@testable import CallsAPI
import CallsCore
import CallsStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

/// Who may read subscriber activity: the detail and aggregate routes sit behind the `read` role. Every role
/// includes `read` (`APIRole`: read < write < admin), so no valid key is refused with 403 here; the refusals
/// are 401, for a missing key and for every kind of bad one.
@Suite struct ActivityReadAccessTests {
    static let uris = ["/api/v1/users/u1/detail", "/api/v1/aggregates?period=day&from=2025-10-19&to=2025-10-20"]

    static func run(
        keys: InMemoryAPIKeyRepository, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let access = AccessControl(
            settings: AccessSettings(authentication: true), authenticator: APIKeyAuthenticator(keys: keys), limiter: nil)
        let reads = InMemoryActivityReads(events: ActivityReadRoutesTests.events, rows: ActivityReadRoutesTests.rows)
        try await RouteHarness.run(
            access: access,
            configure: {
                $0.activityReads = ActivityReadDependencies(
                    reads: reads, cache: nil, timeZone: .gmt, now: { ActivityReadRoutesTests.now })
            }
        ) { _, client in try await body(client) }
    }

    @Test func withoutAKeyTheReadsAskForOne() async throws {
        try await Self.run(keys: InMemoryAPIKeyRepository()) { client in
            for uri in Self.uris {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .unauthorized, "\(uri)")
                    #expect(response.headers[.contentType] == Problem.contentType, "\(uri)")
                    #expect(problemCode(response) == "authentication_required", "\(uri)")
                    #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="calls""#, "\(uri)")
                }
            }
        }
    }

    @Test func badKeysAreRefusedAlike() async throws {
        let keys = InMemoryAPIKeyRepository()
        let good = try await keys.create(role: .read, name: "reader").1.text
        let (revokedKey, revokedToken) = try await keys.create(role: .admin, name: "old")
        _ = try await keys.revoke(id: revokedKey.id)
        let wrongSecret = String(good.dropLast(2)) + (good.hasSuffix("00") ? "11" : "00")
        let headers = [
            "Bearer calls_nonsense", "Basic dXNlcjpwYXNz", "Bearer \(APIKeyToken.generate().text)", "Bearer \(wrongSecret)",
            "Bearer \(revokedToken.text)",
        ]
        try await Self.run(keys: keys) { client in
            for uri in Self.uris {
                for header in headers {
                    try await client.execute(uri: uri, method: .get, headers: [.authorization: header]) { response in
                        #expect(response.status == .unauthorized, "\(uri) with \(header)")
                        #expect(response.headers[.contentType] == Problem.contentType, "\(uri) with \(header)")
                        #expect(problemCode(response) == "invalid_api_key", "\(uri) with \(header)")
                        #expect(response.headers[.wwwAuthenticate]?.contains(#"error="invalid_token""#) == true)
                    }
                }
            }
        }
    }

    @Test(arguments: APIRole.allCases) func everyRoleMayRead(role: APIRole) async throws {
        let keys = InMemoryAPIKeyRepository()
        let key = try await keys.create(role: role, name: role.rawValue).1.text
        try await Self.run(keys: keys) { client in
            for uri in Self.uris {
                try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(key)"]) { response in
                    #expect(response.status == .ok, "\(role) \(uri): \(String(buffer: response.body))")
                    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, "\(uri)")
                }
            }
        }
    }
}
