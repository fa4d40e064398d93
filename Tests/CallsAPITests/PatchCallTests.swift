@testable import CallsAPI
import Foundation
import HummingbirdTesting
import TestSupport
import Testing

@Suite struct PatchCallTests {
    @Test func tagsAreReplacedNormalizedAsAtCreation() async throws {
        try await RouteHarness.run { _, client in
            let id = try await client.createCall()
            let (status, call) = try await client.json(.patch, "/calls/\(id)", #"{"tags": [" VIP ", "private", "vip"]}"#)
            #expect(status == .ok)
            #expect(call["tags"] as? [String] == ["vip", "private"])
            #expect(try await client.json(.get, "/calls/\(id)").1["tags"] as? [String] == ["vip", "private"])
            #expect(try await client.json(.patch, "/calls/\(id)", #"{"tags": []}"#).1["tags"] as? [String] == [])
        }
    }

    @Test(arguments: [
        (#"{"tags": ["ok", ""]}"#, "tags"),
        (#"{"tags": "vip"}"#, "body"),
        (#"{"tag": ["vip"]}"#, "tags"),
        ("not json", "body"),
    ])
    func aBadPatchNamesTheField(body: String, field: String) async throws {
        try await RouteHarness.run { _, client in
            let id = try await client.createCall()
            let (status, problem) = try await client.json(.patch, "/calls/\(id)", body)
            #expect(status == .unprocessableContent)
            #expect(problem["code"] as? String == "validation_failed")
            let errors = problem["errors"] as? [[String: Any]]
            #expect(errors?.first?["field"] as? String == field, "\(problem)")
            #expect(try await client.json(.get, "/calls/\(id)").1["tags"] as? [String] == ["test"])
        }
    }

    @Test func anUnknownCallIsNotFound() async throws {
        try await RouteHarness.run { _, client in
            let (status, problem) = try await client.json(.patch, "/calls/\(UUID().uuidString)", #"{"tags": []}"#)
            #expect(status == .notFound)
            #expect(problem["code"] as? String == "call_not_found")
        }
    }
}
