import CallsCore
import CallsStore
import Foundation
import JobQueue
import PostgresNIO
import TestSupport
import Testing

extension IntegrationSuite {
    /// Real `calls-worker` processes killed, paused and stopped by signal in the middle of a job.
    @Suite struct WorkerCrashTests {
        struct CallState: Equatable {
            var status: String
            var attempts: Int
            var leaseOwner: String?
            var analysed: Bool
        }

        static func state(of id: UUID, _ postgres: PostgresClient) async throws -> CallState {
            let rows = try await postgres.query(
                """
                SELECT c.status, c.attempts, c.lease_owner, r.duration_ms IS NOT NULL
                FROM calls c JOIN recordings r ON r.call_id = c.id WHERE c.id = \(id)
                """, logger: TestServices.logger
            ).decode((String, Int, String?, Bool).self).collectAll()
            guard let row = rows.first else { throw SetupError("call \(id) has no recording row") }
            return CallState(status: row.0, attempts: row.1, leaseOwner: row.2, analysed: row.3)
        }

        /// A call with a 30-minute recording stored and its job queued, as the API leaves an upload. The debug
        /// build needs most of a second to analyse it: long enough to catch a worker in the middle of it.
        static func queueLongCall(stack: Stack, postgres: PostgresClient, redis: RedisClient) async throws -> UUID {
            let calls = PostgresCallRepository(client: postgres, logger: TestServices.logger)
            let call = try await calls.create(
                try NewCallRequest(caller: "+100", receiver: "+200", startedAt: "2026-11-21T09:00:00Z").validated())
            let key = "long/\(call.id.lowercasedString).wav"
            let path = stack.recordings.path + "/" + key
            try FileManager.default.createDirectory(atPath: stack.recordings.path + "/long", withIntermediateDirectories: true)
            var audio = SyntheticAudio()
            let minute = audio.channel([.tone(seconds: 20), .noise(seconds: 10), .tone(seconds: 30, frequency: 300)])
            try WAVFile.writeRepeated(minute, times: 30, channels: 1, sampleRate: 8000, to: path)
            let payload = Job(kind: .analyze, callID: call.id).payload
            _ = try await calls.attachRecording(
                NewRecording(
                    id: UUID(), filename: "long.wav", storageKey: key, format: .wav, sizeBytes: 28_800_044,
                    sha256: "-", sampleRate: 8000, channels: 1),
                toCall: call.id, jobPayload: payload)
            // What the API's outbox relay does.
            try await redis.command("LPUSH", QueueKeys(name: stack.api.queue.name).ready, payload)
            _ = try await postgres.query("DELETE FROM outbox WHERE call_id = \(call.id)", logger: TestServices.logger)
            return call.id
        }

        /// Waits until `worker` has made claim number `attempt` on the call and freezes it there, before its
        /// analysis can finish. Returns the worker's id (the lease owner); throws if the call ends first.
        static func freezeMidJob(
            _ worker: SpawnedWorker, callID: UUID, attempt: Int = 1, _ postgres: PostgresClient
        ) async throws -> String {
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                let state = try await state(of: callID, postgres)
                guard state.status == "processing" || state.status == "created" else {
                    throw SetupError("the call ended before claim \(attempt): \(state)")
                }
                if let owner = state.leaseOwner, state.attempts >= attempt {
                    worker.signal(SIGSTOP)
                    let frozen = try await Self.state(of: callID, postgres)
                    guard !frozen.analysed, frozen.status == "processing" else {
                        throw SetupError("the worker finished before it could be stopped: \(frozen)")
                    }
                    return owner
                }
                try await Task.sleep(for: .milliseconds(5))
            }
            throw SetupError("the worker never claimed the call; its log:\n\(worker.log)")
        }

        @Test func aWorkerKilledMidJobLeavesItToAnotherWithOneResult() async throws {
            try await Stack.withMigrated { stack, url in
                let (redis, queue) = stack.makeQueue()
                try await TestServices.withPostgres(url) { postgres in
                    let callID = try await Self.queueLongCall(stack: stack, postgres: postgres, redis: redis)
                    let victim = try SpawnedWorker(stack: stack, logDirectory: stack.recordings.path)
                    let victimID = try await Self.freezeMidJob(victim, callID: callID, postgres)
                    await victim.process.stop(signal: SIGKILL)

                    try await stack.withWorker { () async throws -> Void in
                        #expect(try await waitUntil(within: 60) { try await Self.state(of: callID, postgres).status == "ready" })
                    }
                    let final = try await Self.state(of: callID, postgres)
                    #expect(
                        final == CallState(status: "ready", attempts: 2, leaseOwner: nil, analysed: true),
                        "the killed worker's claim and the survivor's")
                    #expect(try await queue.processingCount(worker: victimID) == 0)
                    #expect(try await queue.deadPayloads().isEmpty)
                    let recordings = try await postgres.query("SELECT duration_ms FROM recordings", logger: TestServices.logger)
                        .decode(Int.self).collectAll()
                    #expect(recordings == [1_800_000], "one recording row, analysed once to the end")
                }
                await redis.shutdown()
            }
        }

        @Test func aPausedWorkerWhoseLeaseWasTakenOverCannotCommitWhenResumed() async throws {
            try await Stack.withMigrated { stack, url in
                let (redis, _) = stack.makeQueue()
                try await TestServices.withPostgres(url) { postgres in
                    let callID = try await Self.queueLongCall(stack: stack, postgres: postgres, redis: redis)
                    let paused = try SpawnedWorker(stack: stack, logDirectory: stack.recordings.path)
                    _ = try await Self.freezeMidJob(paused, callID: callID, postgres)

                    let takeover = "takeover-\(UUID().uuidString.prefix(8))"
                    try await stack.withWorker(id: takeover) { () async throws -> Void in
                        #expect(try await waitUntil(within: 60) { try await Self.state(of: callID, postgres).status == "ready" })
                    }
                    let committed = try await postgres.query(
                        "SELECT lease_token, updated_at FROM calls WHERE id = \(callID)", logger: TestServices.logger
                    ).decode((Int64, Date).self).collectAll()

                    paused.signal(SIGCONT)
                    // The resumed worker finishes its analysis and tries to commit it under its old token, and is
                    // fenced off. Should its commit have been in flight when it was stopped, the commit's database
                    // deadline expires on waking; the retry in place then finds the call finished and skips it.
                    // Either way it writes nothing, which the rows below show.
                    #expect(
                        try await waitUntil(within: 30) {
                            let metrics = try? await paused.metrics()
                            return ["fenced", "duplicate"].contains { outcome in
                                metrics?.contains(#"calls_jobs_total{kind="analyze",outcome="\#(outcome)"} 1"#) == true
                            }
                        }, "the resumed worker's commit is refused; its log:\n\(paused.log)")
                    let after = try await postgres.query(
                        "SELECT lease_token, updated_at FROM calls WHERE id = \(callID)", logger: TestServices.logger
                    ).decode((Int64, Date).self).collectAll()
                    #expect(after.map(\.0) == committed.map(\.0))
                    #expect(after.map(\.1) == committed.map(\.1), "nothing was written after the takeover's commit")
                    #expect(
                        try await Self.state(of: callID, postgres)
                            == CallState(
                                status: "ready", attempts: 2, leaseOwner: nil, analysed: true))
                    await paused.process.stop()
                }
                await redis.shutdown()
            }
        }

        @Test func sigtermLetsTheJobInHandFinishThenDeregisters() async throws {
            try await Stack.withMigrated { stack, url in
                let (redis, queue) = stack.makeQueue()
                try await TestServices.withPostgres(url) { postgres in
                    let callID = try await Self.queueLongCall(stack: stack, postgres: postgres, redis: redis)
                    let worker = try SpawnedWorker(stack: stack, logDirectory: stack.recordings.path)
                    let workerID = try await Self.freezeMidJob(worker, callID: callID, postgres)
                    worker.signal(SIGTERM)
                    worker.signal(SIGCONT)
                    #expect(await worker.process.waitForExit() == 0, "\(worker.log)")
                    #expect(
                        try await Self.state(of: callID, postgres)
                            == CallState(
                                status: "ready", attempts: 1, leaseOwner: nil, analysed: true), "finished within the grace period")
                    #expect(try await queue.processingCount(worker: workerID) == 0)
                    #expect(try await WorkerRegistry(client: redis, keys: queue.keys).registeredWorkers().isEmpty)
                }
                await redis.shutdown()
            }
        }

        @Test func sigtermPastTheGracePeriodHandsTheJobBack() async throws {
            try await Stack.withMigrated { stack, url in
                let (redis, queue) = stack.makeQueue()
                try await TestServices.withPostgres(url) { postgres in
                    let callID = try await Self.queueLongCall(stack: stack, postgres: postgres, redis: redis)
                    let worker = try SpawnedWorker(
                        stack: stack, logDirectory: stack.recordings.path, settings: ["CALLS_SHUTDOWN_GRACE": "0"])
                    let workerID = try await Self.freezeMidJob(worker, callID: callID, postgres)
                    worker.signal(SIGTERM)
                    worker.signal(SIGCONT)
                    #expect(await worker.process.waitForExit() == 0, "\(worker.log)")
                    #expect(try await queue.processingCount(worker: workerID) == 0)
                    #expect(try await WorkerRegistry(client: redis, keys: queue.keys).registeredWorkers().isEmpty)
                    let payload = Job(kind: .analyze, callID: callID).payload
                    let ready = try await redis.command("LRANGE", queue.keys.ready, "0", "-1").array?.compactMap(\.string)
                    let state = try await Self.state(of: callID, postgres)
                    // Either the analysis beat the cancellation, or the job is back on the queue: never neither.
                    #expect(state.status == "ready" || ready == [payload], "\(state), ready list \(String(describing: ready))")

                    try await stack.withWorker { () async throws -> Void in
                        #expect(try await waitUntil(within: 60) { try await Self.state(of: callID, postgres).status == "ready" })
                    }
                }
                await redis.shutdown()
            }
        }

        /// A recording that kills every worker that analyses it is dead-lettered after `CALLS_MAX_DELIVERIES`
        /// deliveries, and the worker that sees it last fails the call instead of dying too.
        @Test func aJobThatKillsEveryWorkerIsDeadLetteredAfterMaxDeliveries() async throws {
            try await Stack.withMigrated { stack, url in
                let (redis, queue) = stack.makeQueue()
                try await TestServices.withPostgres(url) { postgres in
                    let callID = try await Self.queueLongCall(stack: stack, postgres: postgres, redis: redis)
                    let settings = ["CALLS_MAX_DELIVERIES": "2"]
                    var kills = 0
                    while kills < 5 {
                        let worker = try SpawnedWorker(stack: stack, logDirectory: stack.recordings.path, settings: settings)
                        do {
                            _ = try await Self.freezeMidJob(worker, callID: callID, attempt: kills + 1, postgres)
                            await worker.process.stop(signal: SIGKILL)
                            kills += 1
                        } catch {
                            // This worker did not claim it again: it dead-lettered the job instead.
                            await worker.process.stop()
                            break
                        }
                    }
                    let state = try await Self.state(of: callID, postgres)
                    #expect(state.status == "failed", "\(state) after \(kills) kills")
                    #expect(state.attempts == kills)
                    // Each kill costs a delivery, and so may the redelivery that finds the dead worker's lease
                    // still running: one or two kills, never more.
                    #expect((1...2).contains(kills))
                    #expect(try await queue.deadPayloads() == [Job(kind: .analyze, callID: callID).payload])
                }
                await redis.shutdown()
            }
        }
    }
}
