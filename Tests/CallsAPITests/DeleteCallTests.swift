@testable import CallsAPI
import Foundation
import HTTPTypes
import HummingbirdTesting
import JobQueue
import NIOCore
import TestSupport
import Testing

@Suite struct DeleteCallTests {
    func uploadedCall(_ client: any TestClientProtocol) async throws -> String {
        let id = try await client.createCall()
        let body = Fixtures.multipart(Fixtures.wav())
        #expect(try await client.upload(body.finished(), contentType: body.contentType, to: id).0 == .accepted)
        return id
    }

    func delete(_ id: String, _ client: any TestClientProtocol) async throws -> (HTTPResponse.Status, JSONBody) {
        try await client.json(.delete, "/calls/\(id)")
    }

    @Test func deletingRemovesTheCallItsFileAndItsJobAndCanBeRepeated() async throws {
        try await RouteHarness.run { harness, client in
            let id = try await uploadedCall(client)
            let kept = try await uploadedCall(client)
            #expect(harness.storedFiles.count == 2)

            #expect(try await delete(id, client).0 == .noContent)
            #expect(try await client.json(.get, "/calls/\(id)").0 == .notFound)
            #expect(harness.storedFiles.count == 1)
            #expect(harness.queue.jobs == [Job(kind: .analyze, callID: UUID(uuidString: kept)!)])
            #expect(try await client.json(.get, "/calls/\(kept)").0 == .ok)

            #expect(try await delete(id, client).0 == .noContent, "a repeated DELETE succeeds too")
            #expect(try await delete(UUID().uuidString, client).0 == .noContent)
        }
    }

    @Test func aCallWithoutARecordingIsDeletedToo() async throws {
        try await RouteHarness.run { _, client in
            let id = try await client.createCall()
            #expect(try await delete(id, client).0 == .noContent)
            #expect(try await client.json(.get, "/calls/\(id)").0 == .notFound)
        }
    }

    @Test func whenTheFileCannotBeRemovedTheCallStaysAndTheAnswerIs503() async throws {
        try await RouteHarness.run { harness, client in
            let id = try await uploadedCall(client)
            // The stored file turns into a non-empty directory: unlink(2) refuses it, as a broken disk would.
            let path = try harness.store.localPath(forKey: try #require(harness.calls.storageKey(ofCall: UUID(uuidString: id)!)))
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.createDirectory(atPath: path + "/blocker", withIntermediateDirectories: true)

            let (status, problem) = try await delete(id, client)
            #expect(status == .serviceUnavailable)
            #expect(problem.problem?.code == "storage_unavailable")
            #expect(try await client.json(.get, "/calls/\(id)").0 == .ok)
        }
    }

    @Test func whenTheQueueIsDownNothingIsDeleted() async throws {
        try await RouteHarness.run { harness, client in
            let id = try await uploadedCall(client)
            harness.queue.setFailing(true)
            let (status, problem) = try await delete(id, client)
            #expect(status == .serviceUnavailable)
            #expect(problem.problem?.code == "queue_unavailable")
            #expect(try await client.json(.get, "/calls/\(id)").0 == .ok)
            #expect(harness.storedFiles.count == 1)
        }
    }

    /// An unknown id may name a call deleted a moment ago (204); a malformed one never named any.
    @Test func aMalformedIDIsNotFound() async throws {
        try await RouteHarness.run { _, client in
            let (status, problem) = try await delete("not-a-uuid", client)
            #expect(status == .notFound)
            #expect(problem.problem?.code == "call_not_found")
        }
    }
}
