import AudioAnalysis
import CallsCore
import CallsStore
import Foundation
import JobQueue
import PostgresNIO
import TestSupport
import Testing

extension IntegrationSuite {
    /// A worker that stalled (SIGSTOP, a long GC pause, a partition) past its lease must not overwrite the work
    /// of the worker that took the call over.
    @Suite struct FencingTests {
        @Test func aClaimWhoseLeaseWasTakenOverCannotCommit() async throws {
            try await Stack.withMigrated { stack, url in
                try await TestServices.withPostgres(url) { client in
                    let leases = PostgresAnalysisLeases(client: client, logger: TestServices.logger, queueingArchive: false)
                    let callID = try await AnalysisLeaseFixture.callAwaitingAnalysis(client)

                    guard case .claimed(let stalled) = try await leases.claim(callID: callID, worker: "paused", leaseSeconds: 30)
                    else { throw SetupError("first claim failed") }
                    #expect(try await leases.claim(callID: callID, worker: "other", leaseSeconds: 30) == .leasedByAnother)

                    // The paused worker's lease runs out while it is stopped.
                    _ = try await client.query(
                        "UPDATE calls SET lease_expires_at = now() - interval '1 second' WHERE id = \(callID)",
                        logger: TestServices.logger)
                    guard case .claimed(let takeover) = try await leases.claim(callID: callID, worker: "other", leaseSeconds: 30)
                    else { throw SetupError("takeover claim failed") }
                    #expect(takeover.leaseToken == stalled.leaseToken + 1)

                    let stale = try AnalysisLeaseFixture.analysis()
                    var fresh = stale
                    fresh.transcription = "the takeover's result"

                    #expect(try await leases.complete(stalled, with: stale) == .fenced, "the resumed worker is fenced off")
                    #expect(try await leases.fail(stalled, reason: "late") == nil)
                    #expect(try await leases.complete(takeover, with: fresh) == .committed([]))
                    let stored = try #require(
                        try await PostgresCallRepository(client: client, logger: TestServices.logger).find(id: callID))
                    #expect(stored.status == .ready)
                    #expect(stored.recording?.transcription == "the takeover's result")
                    #expect(stored.error == nil)
                }
            }
        }

        /// An operator's retry starts the work afresh: a claim from before it, given up meanwhile, cannot record
        /// anything after it (the reset moves the token on, as giving up unclaimed work does).
        @Test func aClaimFromBeforeAnOperatorsRetryCannotCommit() async throws {
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    let leases = PostgresAnalysisLeases(client: client, logger: TestServices.logger, queueingArchive: false)
                    let callID = try await AnalysisLeaseFixture.callAwaitingAnalysis(client)
                    guard case .claimed(let old) = try await leases.claim(callID: callID, worker: "paused", leaseSeconds: 30)
                    else { throw SetupError("claim failed") }
                    _ = try await client.query(
                        "UPDATE calls SET lease_expires_at = now() - interval '1 second' WHERE id = \(callID)",
                        logger: TestServices.logger)
                    #expect(try await leases.failUnclaimed(callID: callID, reason: "dead-lettered"))
                    #expect(try await leases.resetForRetry(callID: callID))

                    #expect(try await leases.complete(old, with: try AnalysisLeaseFixture.analysis()) == .fenced)
                    #expect(try await leases.fail(old, reason: "late") == nil, "the old claim is fenced off")
                    #expect(try await leases.release(old, reason: "late") == false)
                    let status = try await client.query("SELECT status FROM calls WHERE id = \(callID)", logger: TestServices.logger)
                        .decode(String.self).collectAll()
                    #expect(status == ["processing"])
                }
            }
        }
    }
}
