import CallsCore
import CallsStore
import Foundation
import JobQueue
import PostgresNIO
import Synchronization
import TestSupport
import Testing

extension IntegrationSuite {
    /// The outbox relay takes a batch, pushes it, and removes it in one statement; a push that fails removes
    /// nothing.
    @Suite struct OutboxRelayBatchTests {
        struct PushRefused: Error {}

        @Test func aBatchIsRemovedOnlyOnceItsPushReturned() async throws {
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    let calls = PostgresCallRepository(client: client, logger: TestServices.logger)
                    var payloads: [String] = []
                    for index in 0..<3 {
                        let call = try await calls.create(
                            try NewCallRequest(caller: "+100", receiver: "+200", startedAt: "2026-11-21T09:00:00Z").validated())
                        let payload = Job(kind: .analyze, callID: call.id).payload
                        _ = try await calls.attachRecording(
                            NewRecording(
                                id: UUID(), filename: "\(index).wav", storageKey: "outbox/\(index).wav", format: .wav,
                                sizeBytes: 1, sha256: "0", sampleRate: 8000, channels: 1),
                            toCall: call.id, jobPayload: payload)
                        payloads.append(payload)
                    }

                    let attempts = Mutex(0)
                    let expected = payloads
                    await #expect {
                        try await calls.relay(olderThan: .zero, limit: 10) { batch in
                            attempts.withLock { $0 += 1 }
                            #expect(batch == expected, "one batch, oldest first")
                            throw PushRefused()
                        }
                    } throws: { ($0 as? PostgresTransactionError)?.closureError is PushRefused }
                    #expect(try await outboxSize(client) == 3, "a refused push removes nothing")

                    let pushed = Mutex<[[String]]>([])
                    #expect(try await calls.relay(olderThan: .zero, limit: 2) { batch in pushed.withLock { $0.append(batch) } } == 2)
                    #expect(try await calls.relay(olderThan: .zero, limit: 2) { batch in pushed.withLock { $0.append(batch) } } == 1)
                    #expect(try await calls.relay(olderThan: .zero, limit: 2) { batch in pushed.withLock { $0.append(batch) } } == 0)
                    #expect(pushed.withLock { $0 } == [Array(payloads.prefix(2)), [payloads[2]]], "an empty outbox pushes nothing")
                    #expect(try await outboxSize(client) == 0)
                    #expect(attempts.withLock { $0 } == 1)
                }
            }
        }

        func outboxSize(_ client: PostgresClient) async throws -> Int {
            try await client.query("SELECT count(*)::int FROM outbox", logger: TestServices.logger)
                .decode(Int.self).collectAll().first ?? -1
        }
    }
}
