@testable import CallsAPI
import CallsCore
import Foundation
import HummingbirdTesting
import TestSupport
import Testing

@Suite struct PatchCallTests {
    @Test func tagsAreReplacedNormalizedAsAtCreation() async throws {
        try await RouteHarness.run { _, client in
            let id = try await client.createCall()
            let (status, call) = try await client.json(.patch, "/calls/\(id)", #"{"tags": [" VIP ", "private", "vip"]}"#, as: Call.self)
            #expect(status == .ok)
            #expect(call.tags == ["vip", "private"])
            #expect(try await client.call(id).tags == ["vip", "private"])
            #expect(try await client.json(.patch, "/calls/\(id)", #"{"tags": []}"#, as: Call.self).1.tags == [])
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
            let id = try await client.createCall(tags: ["test"])
            let (status, problem) = try await client.json(.patch, "/calls/\(id)", body)
            #expect(status == .unprocessableContent)
            #expect(problem.problem?.code == "validation_failed")
            #expect(problem.problem?.errors?.first?.field == field, "\(problem)")
            #expect(try await client.call(id).tags == ["test"])
        }
    }

    @Test func anUnknownCallIsNotFound() async throws {
        try await RouteHarness.run { _, client in
            let (status, problem) = try await client.json(.patch, "/calls/\(UUID().uuidString)", #"{"tags": []}"#)
            #expect(status == .notFound)
            #expect(problem.problem?.code == "call_not_found")
        }
    }
}
