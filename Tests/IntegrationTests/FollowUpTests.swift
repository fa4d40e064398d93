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
        func claimedCall(
            _ client: PostgresClient, callbackURL: String?, queueingArchive: Bool = true
        ) async throws -> (AnalysisClaim, PostgresAnalysisLeases) {
            let leases = PostgresAnalysisLeases(client: client, logger: TestServices.logger, queueingArchive: queueingArchive)
            let callID = try await AnalysisLeaseFixture.callAwaitingAnalysis(client, callbackURL: callbackURL)
            guard case .claimed(let claim) = try await leases.claim(callID: callID, worker: "w", leaseSeconds: 30)
            else { throw SetupError("claim failed") }
            return (claim, leases)
        }

        func analysis() throws -> AnalysisResult { try AnalysisLeaseFixture.analysis() }

        @Test(arguments: [(true, true), (true, false), (false, true), (false, false)])
        func aCompletedAnalysisReportsTheArchiveAndCallbackItMadeDue(queueingArchive: Bool, withCallback: Bool) async throws {
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    let (claim, leases) = try await claimedCall(
                        client, callbackURL: withCallback ? "https://crm.example.com/cb" : nil,
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
                    let (claim, leases) = try await claimedCall(client, callbackURL: nil)
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
                    let (withCallback, leases) = try await claimedCall(client, callbackURL: "https://crm.example.com/cb")
                    #expect(try await leases.fail(withCallback, reason: "no audio") == [.callback])
                    let (without, _) = try await claimedCall(client, callbackURL: nil)
                    #expect(try await leases.fail(without, reason: "no audio") == [])
                }
            }
        }

        @Test func aFencedCommitReportsNothing() async throws {
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    let (claim, leases) = try await claimedCall(client, callbackURL: "https://crm.example.com/cb")
                    _ = try await client.query(
                        "UPDATE calls SET lease_token = lease_token + 1 WHERE id = \(claim.callID)", logger: TestServices.logger)
                    #expect(try await leases.complete(claim, with: try analysis()) == .fenced)
                    #expect(try await leases.fail(claim, reason: "late") == nil)
                }
            }
        }
    }
}
