import CallsCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

/// `Idempotency-Key` on `POST /calls`, over the in-memory twin (the PostgreSQL side, with concurrency, is in
/// the integration tests).
@Suite struct IdempotencyKeyTests {
    static let key = HTTPField.Name("Idempotency-Key")!
    static let body = #"{"caller": "+7 900 123-45-67", "receiver": "+1 555 0100", "started_at": "2026-11-21T09:30:00Z"}"#

    static func post(
        _ client: some TestClientProtocol, key: String?, body: String = body
    ) async throws -> (HTTPResponse.Status, JSONBody, String?) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let key { headers[Self.key] = key }
        return try await client.execute(uri: "/calls", method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
            (response.status, JSONBody(response.body), response.headers[HTTPField.Name("Idempotency-Replayed")!])
        }
    }

    @Test func theSameKeyAndBodyGiveTheSameCall() async throws {
        try await RouteHarness.run { harness, client in
            let (firstStatus, first, firstReplayed) = try await Self.post(client, key: "order-7f3a")
            #expect(firstStatus == .created && firstReplayed == nil)
            // The same request spelled differently is the same request.
            let respelled = #"{ "started_at": "2026-11-21T12:30:00+03:00", "receiver": "+1 555 0100", "caller": "+7 900 123-45-67" }"#
            let (againStatus, again, replayed) = try await Self.post(client, key: "order-7f3a", body: respelled)
            #expect(againStatus == .created && replayed == "true")
            let firstCall = try first.decode(Call.self)
            #expect(try again.decode(Call.self) == firstCall)
            let (otherStatus, other, _) = try await Self.post(client, key: "order-7f3b")
            #expect(otherStatus == .created)
            #expect(try other.decode(Call.self).id != firstCall.id)
            let (_, unkeyed, _) = try await Self.post(client, key: nil)
            #expect(try unkeyed.decode(Call.self).id != firstCall.id)
            #expect(try await harness.calls.list(.init()).total == 3)
        }
    }

    @Test func theSameKeyWithADifferentBodyIsRefused() async throws {
        try await RouteHarness.run { _, client in
            _ = try await Self.post(client, key: "k-1")
            let different = Self.body.replacingOccurrences(of: "0100", with: "0199")
            let (status, problem, _) = try await Self.post(client, key: "k-1", body: different)
            #expect(status == .unprocessableContent && problem.problem?.code == "idempotency_key_reused")
        }
    }

    @Test(arguments: ["", String(repeating: "k", count: 256), "has space", "ключ"])
    func aMalformedKeyIsAValidationError(key: String) async throws {
        try await RouteHarness.run { _, client in
            let (status, problem, _) = try await Self.post(client, key: key)
            #expect(status == .unprocessableContent && problem.problem?.code == "validation_failed")
            #expect(problem.problem?.errors?.first?.field == "Idempotency-Key")
        }
    }
}
