import CallsCore
import CallsStore
import Foundation
import JobQueue
import PostgresNIO
import TestSupport
import Testing

extension IntegrationSuite {
    /// The upload's commit is one statement: recording row, call status and outbox entry, all or nothing.
    @Suite struct AttachRecordingTests {
        static func recording(_ name: String = UUID().lowercasedString) -> NewRecording {
            NewRecording(
                id: UUID(), filename: "\(name).wav", storageKey: "2026/11/21/\(name).wav", format: .wav,
                sizeBytes: 1, sha256: "0", sampleRate: 8000, channels: 1)
        }

        static func newCall(_ calls: PostgresCallRepository) async throws -> Call {
            try await calls.create(try NewCallRequest(caller: "+100", receiver: "+200", startedAt: "2026-11-21T09:00:00Z").validated())
        }

        @Test func attachingCommitsTheRecordingTheStatusAndTheOutboxEntryTogether() async throws {
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    let calls = PostgresCallRepository(client: client, logger: TestServices.logger)
                    let call = try await Self.newCall(calls)
                    let payload = Job(kind: .analyze, callID: call.id).payload
                    let entry = try await calls.attachRecording(Self.recording("one"), toCall: call.id, jobPayload: payload)

                    let stored = try #require(try await calls.find(id: call.id))
                    #expect(stored.status == .processing)
                    #expect(stored.recording?.filename == "one.wav")
                    let outbox = try await client.query("SELECT id, payload FROM outbox", logger: TestServices.logger)
                        .decode((Int64, String).self).collectAll()
                    #expect(outbox.map(\.0) == [entry] && outbox.map(\.1) == [payload])

                    try await calls.remove(entryIDs: [entry])
                    let left = try await client.query("SELECT count(*) FROM outbox", logger: TestServices.logger)
                        .decode(Int.self).collectAll()
                    #expect(left == [0])
                }
            }
        }

        @Test func aMissingCallIsRefusedAndNothingIsWritten() async throws {
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    let calls = PostgresCallRepository(client: client, logger: TestServices.logger)
                    let missing = UUID()
                    await #expect(throws: AttachRecordingError.callNotFound) {
                        try await calls.attachRecording(Self.recording(), toCall: missing, jobPayload: "analyze:\(missing)")
                    }
                    let rows = try await client.query(
                        "SELECT (SELECT count(*) FROM recordings) + (SELECT count(*) FROM outbox)", logger: TestServices.logger
                    ).decode(Int.self).collectAll()
                    #expect(rows == [0])
                }
            }
        }

        @Test func concurrentAttachmentsToOneCallLeaveExactlyOneRecordingAndOneJob() async throws {
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    let calls = PostgresCallRepository(client: client, logger: TestServices.logger)
                    let call = try await Self.newCall(calls)
                    let outcomes = try await withThrowingTaskGroup(of: Result<Int64, AttachRecordingError>.self) { group in
                        for index in 0..<8 {
                            group.addTask {
                                do {
                                    return .success(
                                        try await calls.attachRecording(
                                            Self.recording("racer-\(index)"), toCall: call.id, jobPayload: "analyze:\(call.id)"))
                                } catch let error as AttachRecordingError {
                                    return .failure(error)
                                }
                            }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                    #expect(outcomes.filter { (try? $0.get()) != nil }.count == 1)
                    #expect(outcomes.filter { $0 == .failure(.recordingExists) }.count == 7)
                    let counts = try await client.query(
                        "SELECT (SELECT count(*) FROM recordings), (SELECT count(*) FROM outbox)", logger: TestServices.logger
                    ).decode((Int, Int).self).collectAll()
                    #expect(counts.first.map { [$0.0, $0.1] } == [1, 1])
                }
            }
        }

        @Test func tagsAreReplacedAndAnUnknownCallIsNil() async throws {
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    let calls = PostgresCallRepository(client: client, logger: TestServices.logger)
                    let call = try await Self.newCall(calls)
                    let updated = try #require(try await calls.updateTags(id: call.id, tags: ["vip", "private"]))
                    #expect(updated.tags == ["vip", "private"] && updated.updatedAt >= call.updatedAt)
                    #expect(try await calls.find(id: call.id)?.tags == ["vip", "private"])
                    #expect(try await calls.updateTags(id: UUID(), tags: []) == nil)
                }
            }
        }

        @Test func theAPIForgetsOutboxEntriesOnceTheirJobsAreInRedis() async throws {
            try await Stack.withMigrated { stack, url in
                try await stack.withAPI { client in
                    for _ in 0..<3 {
                        _ = try await client.uploadedCall()
                    }
                    // Well inside the relay's minimum age, so the relay cannot be the one removing them.
                    let emptied = try await waitUntil(within: 1.5) {
                        try await TestServices.withPostgres(url) { postgres in
                            try await postgres.query("SELECT count(*) FROM outbox", logger: TestServices.logger)
                                .decode(Int.self).collectAll() == [0]
                        }
                    }
                    #expect(emptied)
                    let (redis, queue) = stack.makeQueue()
                    #expect(try await queue.readyCount() == 3, "each job pushed once")
                    await redis.shutdown()
                }
            }
        }
    }
}
