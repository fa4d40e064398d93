import AudioAnalysis
import CallsCore
import CallsStore
import Foundation
import JobQueue
import PostgresNIO
import TestSupport
import Testing

extension IntegrationSuite {
    /// The commit names the work it made due, and the worker queues exactly that: an archive only when the
    /// statement recorded one, a callback only when the call became final with a callback URL.
    @Suite struct FollowUpTests {
        static let policy = CallbackPolicy(signingKey: String(repeating: "k", count: 32))

        func claimedCall(
            _ client: PostgresClient, callbackURL: String?, named name: String, queueingArchive: Bool = true
        ) async throws -> (AnalysisClaim, PostgresAnalysisLeases) {
            let calls = PostgresCallRepository(client: client, logger: TestServices.logger)
            let leases = PostgresAnalysisLeases(client: client, logger: TestServices.logger, queueingArchive: queueingArchive)
            let call = try await calls.create(
                try NewCallRequest(caller: "+100", receiver: "+200", startedAt: "2026-11-21T09:00:00Z", callbackUrl: callbackURL)
                    .validated(callbacks: Self.policy))
            _ = try await calls.attachRecording(
                NewRecording(
                    id: UUID(), filename: "\(name).wav", storageKey: "follow-ups/\(name).wav", format: .wav,
                    sizeBytes: 1, sha256: "0", sampleRate: 8000, channels: 1),
                toCall: call.id, jobPayload: Job(kind: .analyze, callID: call.id).payload)
            guard case .claimed(let claim) = try await leases.claim(callID: call.id, worker: "w", leaseSeconds: 30)
            else { throw SetupError("claim failed") }
            return (claim, leases)
        }

        func analysis() throws -> AnalysisResult {
            var audio = SyntheticAudio()
            var decoder = ArrayDecoder(samples: audio.channel([.tone(seconds: 1)]), sampleRate: 8000, channelCount: 1)
            return try AudioAnalyzer().analyze(&decoder)
        }

        @Test(arguments: [(true, true), (true, false), (false, true), (false, false)])
        func aCompletedAnalysisReportsTheArchiveAndCallbackItMadeDue(queueingArchive: Bool, withCallback: Bool) async throws {
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    let (claim, leases) = try await claimedCall(
                        client, callbackURL: withCallback ? "https://crm.example.com/cb" : nil, named: "complete",
                        queueingArchive: queueingArchive)
                    var expected: FollowUps = []
                    if queueingArchive { expected.insert(.archive) }
                    if withCallback { expected.insert(.callback) }
                    #expect(try await leases.complete(claim, with: try analysis()) == .committed(expected))
                }
            }
        }

        @Test func anArchiveRecordedBeforeIsNotReportedAgain() async throws {
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    let (claim, leases) = try await claimedCall(client, callbackURL: nil, named: "again")
                    _ = try await client.query(
                        """
                        INSERT INTO recording_archives (recording_id, call_id)
                        SELECT id, call_id FROM recordings WHERE call_id = \(claim.callID)
                        """, logger: TestServices.logger)
                    #expect(try await leases.complete(claim, with: try analysis()) == .committed([]))
                }
            }
        }

        @Test func aFailedCallReportsItsCallbackOnlyWhenItHasOne() async throws {
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    let (withCallback, leases) = try await claimedCall(client, callbackURL: "https://crm.example.com/cb", named: "a")
                    #expect(try await leases.fail(withCallback, reason: "no audio") == [.callback])
                    let (without, _) = try await claimedCall(client, callbackURL: nil, named: "b")
                    #expect(try await leases.fail(without, reason: "no audio") == [])
                }
            }
        }

        @Test func aFencedCommitReportsNothing() async throws {
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    let (claim, leases) = try await claimedCall(client, callbackURL: "https://crm.example.com/cb", named: "fenced")
                    _ = try await client.query(
                        "UPDATE calls SET lease_token = lease_token + 1 WHERE id = \(claim.callID)", logger: TestServices.logger)
                    #expect(try await leases.complete(claim, with: try analysis()) == .fenced)
                    #expect(try await leases.fail(claim, reason: "late") == nil)
                }
            }
        }
    }
}
