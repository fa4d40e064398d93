@testable import CallsAPI
import Foundation
import HummingbirdTesting
import JobQueue
import Logging
import TestSupport
import Testing

@Suite struct RetentionTests {
    @Test func onlyCallsOlderThanTheRetentionGoWithTheirFilesAndJobs() async throws {
        try await RouteHarness.run { harness, client in
            for _ in 0..<3 {
                let id = try await client.createCall()
                let body = Fixtures.multipart(Fixtures.wav())
                #expect(try await client.upload(body.finished(), contentType: body.contentType, to: id).0 == .accepted)
            }
            #expect(harness.storedFiles.count == 3 && harness.queue.jobs.count == 3)
            let retention = RetentionService(
                calls: harness.calls, queue: harness.queue, store: harness.store, days: 7, logger: Logger(label: "test"))

            // Six days on, the calls are younger than seven days: all stay.
            #expect(try await retention.purge(now: Date().addingTimeInterval(6 * 86_400)) == 0)
            #expect(harness.storedFiles.count == 3)
            // Eight days on, all three are past it.
            #expect(try await retention.purge(now: Date().addingTimeInterval(8 * 86_400)) == 3)
            #expect(harness.storedFiles.isEmpty && harness.queue.jobs.isEmpty)
            #expect(try await client.json(.get, "/calls", as: CallListPage.self).1.total == 0)
        }
    }

    @Test func aFileThatCannotBeRemovedStopsThePassAndKeepsTheCall() async throws {
        try await RouteHarness.run { harness, client in
            let id = try await client.createCall()
            let body = Fixtures.multipart(Fixtures.wav())
            #expect(try await client.upload(body.finished(), contentType: body.contentType, to: id).0 == .accepted)
            let path = try harness.store.localPath(forKey: try #require(harness.calls.storageKey(ofCall: UUID(uuidString: id)!)))
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.createDirectory(atPath: path + "/blocker", withIntermediateDirectories: true)

            let retention = RetentionService(
                calls: harness.calls, queue: harness.queue, store: harness.store, days: 1, logger: Logger(label: "test"))
            await #expect(throws: (any Error).self) { try await retention.purge(now: Date().addingTimeInterval(2 * 86_400)) }
            #expect(try await client.json(.get, "/calls/\(id)").0 == .ok)
        }
    }
}
