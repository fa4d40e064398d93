import CallsCore
import CallsStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import JobQueue
import PostgresNIO
import Synchronization
import TestSupport
import Testing

extension IntegrationSuite {
    /// CDRs exported to consumers on loopback through the worker's `exports` role and export jobs, with the
    /// `cdrs` rows written directly.
    @Suite struct CdrExportTests {
        static func stack(_ plain: Stack, consumers: [(String, URL)], maxAttempts: Int = 5, timeoutSeconds: Int = 10) -> Stack {
            var stack = plain
            stack.worker.cdrExports.consumers = consumers.map { NamedEndpoint(name: $0.0, url: $0.1) }
            stack.worker.cdrExports.pollMilliseconds = 50
            stack.worker.cdrExports.timeoutSeconds = timeoutSeconds
            stack.worker.maxAttempts = maxAttempts
            stack.worker.concurrency = 1
            return stack
        }

        /// The process's metrics as Prometheus text (swift-metrics' backend is global: see MetricsTests).
        static func metricsText() -> String {
            var buffer: [UInt8] = []
            testMetricsRegistry.emit(into: &buffer)
            return String(decoding: buffer, as: UTF8.self)
        }

        /// Waits until every one of `ids` has a delivery to `consumer` that `done` accepts.
        static func waitForDeliveries(
            _ postgres: PostgresClient, _ ids: [Int64], consumer: String, seconds: Double = 30,
            _ done: @escaping @Sendable (CdrDelivery) -> Bool
        ) async throws {
            try await expectEventually("deliveries of \(ids) to \(consumer)", within: seconds) {
                for id in ids {
                    guard let delivery = try await CdrRows.delivery(postgres, id: id, consumer: consumer), done(delivery) else {
                        return false
                    }
                }
                return true
            }
        }

        @Test func aConsumerThatFailsThreeTimesGetsEveryRecordOnceUnderOneKeyInTheConsumerSchema() async throws {
            _ = testMetricsRegistry
            let consumer = CdrConsumer { index, _ in index < 3 ? (.internalServerError, "busy") : (.ok, "") }
            try await consumer.run { url in
                try await Stack.withMigrated { plain, database in
                    let stack = Self.stack(plain, consumers: [("retrying", url)])
                    try await TestServices.withPostgres(database) { postgres in
                        var inserted: [Int64] = []
                        for callID in [101, 102, 103] { inserted.append(try await CdrRows.insert(postgres, callID: Int64(callID))) }
                        let ids = inserted
                        try await stack.withWorker {
                            try await Self.waitForDeliveries(postgres, ids, consumer: "retrying") { $0.status == "sent" }
                        }
                        for id in ids {
                            let delivery = try #require(try await CdrRows.delivery(postgres, id: id, consumer: "retrying"))
                            #expect(delivery.attempts == 4 && delivery.version == 1 && delivery.sentVersion == 1, "\(delivery)")
                            #expect(delivery.error == nil && delivery.sentAt != nil, "\(delivery)")
                        }
                    }
                }
            }
            let metrics = Self.metricsText()
            for line in [
                #"calls_cdr_export_retries_total{consumer="retrying"} 3"#, #"calls_cdr_export_batches_total{consumer="retrying"} 1"#,
                #"calls_cdr_export_records_total{consumer="retrying",result="sent"} 3"#,
            ] {
                #expect(metrics.contains(line), "missing \(line)")
            }
            let posts = consumer.posts
            #expect(posts.count == 4, "three 500s, then one 200")
            let key = try #require(posts.first?.key)
            #expect(UUID(uuidString: key) != nil, "\(key)")
            #expect(posts.allSatisfy { $0.key == key }, "one Idempotency-Key on every retry")
            #expect(Set(posts.map(\.body)).count == 1, "every retry sends the same body")
            #expect(consumer.accepted.flatMap(\.callIDs).sorted() == [101, 102, 103], "each record taken once")
            #expect(posts.allSatisfy { $0.contentType == "application/json" })
            let records = posts[0].records
            #expect(records.count == 3)
            for record in records {
                #expect(
                    Set(record.keys) == [
                        "call_id", "initiator_phone", "call_type", "scenario_id", "start_time", "end_time", "duration_seconds",
                        "operator_id", "operator_name", "call_result", "number_of_connections", "number_of_events",
                    ], "\(record)")
            }
            let first = try #require(records.first { $0["call_id"] as? Int == 101 })
            #expect(first["initiator_phone"] as? String == "+15550100")
            #expect(first["call_type"] as? String == "inbound")
            #expect(first["scenario_id"] as? String == "sc-1")
            #expect(first["start_time"] as? String == "2026-11-21T09:30:00.000Z")
            #expect(first["end_time"] as? String == "2026-11-21T09:32:05.000Z")
            #expect(first["duration_seconds"] as? Int == 125)
            #expect(first["operator_id"] as? Int == 7 && first["operator_name"] as? String == "Ann")
            #expect(first["call_result"] as? String == "resolved")
            #expect(first["number_of_connections"] as? Int == 2 && first["number_of_events"] as? Int == 5)
        }

        @Test func aNullOperatorIsSentAsNull() async throws {
            let consumer = CdrConsumer { _, _ in (.ok, "") }
            try await consumer.run { url in
                try await Stack.withMigrated { plain, database in
                    let stack = Self.stack(plain, consumers: [("billing", url)])
                    try await TestServices.withPostgres(database) { postgres in
                        let id = try await CdrRows.insert(postgres, callID: 111, operatorID: nil)
                        try await stack.withWorker {
                            try await Self.waitForDeliveries(postgres, [id], consumer: "billing") { $0.status == "sent" }
                        }
                    }
                }
            }
            let body = try #require(consumer.posts.first).body
            let text = String(decoding: body, as: UTF8.self)
            #expect(text.contains(#""operator_id":null"#) && text.contains(#""operator_name":null"#), "\(text)")
        }

        @Test func aRecordTheConsumerRejectsFailsAloneWithItsAnswerAndTheOthersAreSent() async throws {
            _ = testMetricsRegistry
            let consumer = CdrConsumer { _, post in
                post.callIDs.contains(203) ? (.unprocessableContent, #"{"error":"call 203 is malformed"}"#) : (.ok, "")
            }
            try await consumer.run { url in
                try await Stack.withMigrated { plain, database in
                    let stack = Self.stack(plain, consumers: [("rejecting", url)])
                    try await TestServices.withPostgres(database) { postgres in
                        var inserted: [Int64] = []
                        for callID in 201...205 { inserted.append(try await CdrRows.insert(postgres, callID: Int64(callID))) }
                        let ids = inserted
                        try await stack.withWorker {
                            try await Self.waitForDeliveries(postgres, ids, consumer: "rejecting") { $0.status != "pending" }
                        }
                        for (callID, id) in zip(201...205, ids) {
                            let delivery = try #require(try await CdrRows.delivery(postgres, id: id, consumer: "rejecting"))
                            if callID == 203 {
                                #expect(delivery.status == "failed" && delivery.sentAt == nil, "\(delivery)")
                                #expect(delivery.error == #"the consumer answered 422: {"error":"call 203 is malformed"}"#)
                            } else {
                                #expect(delivery.status == "sent" && delivery.attempts == 1 && delivery.error == nil, "\(delivery)")
                            }
                        }
                    }
                }
            }
            let metrics = Self.metricsText()
            for line in [
                #"calls_cdr_export_records_total{consumer="rejecting",result="sent"} 4"#,
                #"calls_cdr_export_records_total{consumer="rejecting",result="failed"} 1"#,
            ] {
                #expect(metrics.contains(line), "missing \(line)")
            }
            let keys = consumer.posts.compactMap(\.key)
            let batch = try #require(keys.first)
            // The whole batch, then its halves until 203 stands alone; each part under a key of its own.
            #expect(keys == [batch, "\(batch).0-1", "\(batch).2-4", "\(batch).2-2", "\(batch).3-4"], "\(keys)")
            #expect(consumer.accepted.flatMap(\.callIDs).sorted() == [201, 202, 204, 205])
        }

        @Test func aConsumerThatHangsTimesOutAndHoldsUpNoOtherConsumer() async throws {
            let release = Flag()
            let hanging = CdrConsumer { _, _ in
                await release.wait(upTo: 30)
                return (.ok, "")
            }
            let fast = CdrConsumer { _, _ in (.ok, "") }
            try await hanging.run { hangingURL in
                defer { release.set() }
                try await fast.run { fastURL in
                    try await Stack.withMigrated { plain, database in
                        let stack = Self.stack(
                            plain, consumers: [("slow", hangingURL), ("fast", fastURL)], maxAttempts: 5, timeoutSeconds: 1)
                        try await TestServices.withPostgres(database) { postgres in
                            let first = try await CdrRows.insert(postgres, callID: 301)
                            try await stack.withWorker {
                                try await Self.waitForDeliveries(postgres, [first], consumer: "fast") { $0.status == "sent" }
                                // A later batch of the other consumer, while the hanging one keeps timing out.
                                let second = try await CdrRows.insert(postgres, callID: 302)
                                try await Self.waitForDeliveries(postgres, [second], consumer: "fast") { $0.status == "sent" }
                                try await Self.waitForDeliveries(postgres, [first], consumer: "slow") {
                                    $0.attempts >= 2 && $0.error == "the consumer did not answer in time"
                                }
                                let stuck = try #require(try await CdrRows.delivery(postgres, id: first, consumer: "slow"))
                                #expect(stuck.status != "sent", "\(stuck)")
                            }
                        }
                    }
                }
            }
            #expect(hanging.posts.count >= 2, "timed out and retried")
            #expect(Set(hanging.posts.map(\.key)).count == 1, "the retries of one batch share its key")
        }

        @Test func aRedirectIsNotFollowedAndItsBatchEndsDead() async throws {
            _ = testMetricsRegistry
            let consumer = CdrConsumer { _, _ in (.temporaryRedirect, "") }
            try await consumer.run { url in
                try await Stack.withMigrated { plain, database in
                    let stack = Self.stack(plain, consumers: [("redirecting", url)], maxAttempts: 1)
                    let (redis, queue) = stack.makeQueue()
                    defer { Task { await redis.shutdown() } }
                    try await TestServices.withPostgres(database) { postgres in
                        let id = try await CdrRows.insert(postgres, callID: 401)
                        try await stack.withWorker {
                            try await Self.waitForDeliveries(postgres, [id], consumer: "redirecting") { $0.status == "failed" }
                            let key = try #require(consumer.posts.first?.key)
                            try await expectEventually("the export job dead-lettered", within: 10) {
                                try await queue.deadPayloads().contains("export:\(key)")
                            }
                        }
                        let delivery = try #require(try await CdrRows.delivery(postgres, id: id, consumer: "redirecting"))
                        #expect(delivery.error == "the consumer answered 307, a redirect; redirects are not followed", "\(delivery)")
                        #expect(delivery.attempts == 1)
                    }
                }
            }
            #expect(consumer.posts.count == 1)
            #expect(consumer.redirectsFollowed == 0)
            #expect(Self.metricsText().contains(#"calls_cdr_export_dead_letters_total{consumer="redirecting"} 1"#))
        }

        struct ExportsAnswer: Decodable {
            struct Consumer: Decodable {
                var consumer: String
                var pending: Int
                var sent: Int
                var failed: Int
                var deadBatches: Int
            }
            var consumers: [Consumer]
        }

        struct DeliveriesAnswer: Decodable {
            struct Delivery: Decodable {
                var consumer: String
                var status: String
                var version: Int
                var attempts: Int
                var sentVersion: Int?
            }
            var cdrId: Int64
            var version: Int
            var deliveries: [Delivery]
        }

        struct RetryAnswer: Decodable {
            var consumer: String
            var requeued: Int
            var closedBatches: Int
        }

        @Test func aBatchDeadAfterMaxAttemptsIsRetriedFromTheAdminAPI() async throws {
            let up = Flag()
            let consumer = CdrConsumer { _, _ in up.isSet ? (.ok, "") : (.serviceUnavailable, "down") }
            try await consumer.run { url in
                try await Stack.withMigrated { plain, database in
                    let stack = Self.stack(plain, consumers: [("billing", url)], maxAttempts: 2)
                    try await TestServices.withPostgres(database) { postgres in
                        let id = try await CdrRows.insert(postgres, callID: 501)
                        try await stack.withWorker {
                            try await stack.withAPI { client in
                                try await Self.waitForDeliveries(postgres, [id], consumer: "billing") { $0.status == "failed" }
                                let failed = try #require(try await CdrRows.delivery(postgres, id: id, consumer: "billing"))
                                #expect(failed.attempts == 2 && failed.error == "the consumer answered 503", "\(failed)")
                                let key = try #require(consumer.posts.first?.key)
                                let (_, dead) = try await client.json(.get, "/admin/dead")
                                #expect(dead.description.contains("export:\(key)"), "\(dead)")
                                let (status, exports) = try await client.json(.get, "/exports", as: ExportsAnswer.self)
                                #expect(status == .ok)
                                let billing = try #require(exports.consumers.first { $0.consumer == "billing" })
                                #expect(billing.failed == 1 && billing.pending == 0 && billing.deadBatches == 1, "\(billing)")

                                up.set()
                                let (retried, answer) = try await client.json(
                                    .post, "/admin/cdr-exports/billing/retry", as: RetryAnswer.self)
                                #expect(retried == .accepted)
                                #expect(answer.requeued == 1 && answer.closedBatches == 1, "\(answer)")
                                try await Self.waitForDeliveries(postgres, [id], consumer: "billing") { $0.status == "sent" }
                                let (_, deadAfter) = try await client.json(.get, "/admin/dead")
                                #expect(!deadAfter.description.contains("export:"), "\(deadAfter)")

                                let (found, deliveries) = try await client.json(
                                    .get, "/cdrs/\(id)/deliveries", as: DeliveriesAnswer.self)
                                #expect(found == .ok && deliveries.cdrId == id && deliveries.version == 1)
                                let sent = try #require(deliveries.deliveries.first)
                                #expect(sent.consumer == "billing" && sent.status == "sent" && sent.attempts == 1 && sent.sentVersion == 1)

                                for path in ["/cdrs/abc/deliveries", "/cdrs/999999/deliveries", "/cdrs/-1/deliveries"] {
                                    let (missing, problem) = try await client.json(.get, path)
                                    #expect(missing == .notFound && problem.problem?.code == "cdr_not_found", "\(path): \(problem)")
                                }
                                let (unknown, problem) = try await client.json(.post, "/admin/cdr-exports/nobody/retry")
                                #expect(unknown == .notFound && problem.problem?.code == "cdr_consumer_not_found", "\(problem)")
                                let (again, nothing) = try await client.json(
                                    .post, "/admin/cdr-exports/billing/retry", as: RetryAnswer.self)
                                #expect(again == .accepted && nothing.requeued == 0 && nothing.closedBatches == 0)
                            }
                        }
                    }
                }
            }
        }

        @Test func aRebuiltCdrIsExportedAgainAsVersion2() async throws {
            let consumer = CdrConsumer { _, _ in (.ok, "") }
            try await consumer.run { url in
                try await Stack.withMigrated { plain, database in
                    let stack = Self.stack(plain, consumers: [("billing", url)])
                    try await TestServices.withPostgres(database) { postgres in
                        let id = try await CdrRows.insert(postgres, callID: 601)
                        try await stack.withWorker {
                            try await Self.waitForDeliveries(postgres, [id], consumer: "billing") { $0.sentVersion == 1 }
                            try await CdrRows.rebuild(postgres, id: id, durationSeconds: 130)
                            try await Self.waitForDeliveries(postgres, [id], consumer: "billing") { $0.sentVersion == 2 }
                        }
                        let delivery = try #require(try await CdrRows.delivery(postgres, id: id, consumer: "billing"))
                        #expect(delivery.status == "sent" && delivery.version == 2 && delivery.attempts == 1, "\(delivery)")
                    }
                }
            }
            let durations = consumer.accepted.flatMap(\.records).compactMap { $0["duration_seconds"] as? Int }
            #expect(durations == [125, 130])
            #expect(Set(consumer.accepted.map(\.key)).count == 2, "a new batch, a new key")
        }

        /// A batch committed but never pushed (the process died between the two, or Redis lost it) is pushed
        /// by the `exports` role; and a CDR rebuilt while its batch is in flight is not marked sent by that
        /// batch, which carries the old version, but sent again as the new one.
        @Test func aBatchNeverPushedIsDeliveredAndSendsOnlyTheVersionItCarries() async throws {
            let consumer = CdrConsumer { _, _ in (.ok, "") }
            try await consumer.run { url in
                try await Stack.withMigrated { plain, database in
                    let stack = Self.stack(plain, consumers: [("billing", url)])
                    try await TestServices.withPostgres(database) { postgres in
                        let exports = PostgresCdrExports(client: postgres, logger: TestServices.logger)
                        let id = try await CdrRows.insert(postgres, callID: 701)
                        let settled = try #require(try await exports.settledChangeSeq(consumers: ["billing"]))
                        #expect(try await exports.schedule(consumer: "billing", upTo: settled, limit: 10) == 1)
                        let lost = try #require(try await exports.formBatch(consumer: "billing", size: 10))
                        #expect(try await exports.formBatch(consumer: "billing", size: 10) == nil, "one batch in flight per consumer")
                        try await CdrRows.rebuild(postgres, id: id, durationSeconds: 140)
                        let resettled = try #require(try await exports.settledChangeSeq(consumers: ["billing"]))
                        #expect(try await exports.schedule(consumer: "billing", upTo: resettled, limit: 10) == 1)
                        let detached = try #require(try await CdrRows.delivery(postgres, id: id, consumer: "billing"))
                        #expect(detached.status == "pending" && detached.version == 2)
                        try await stack.withWorker {
                            try await Self.waitForDeliveries(postgres, [id], consumer: "billing") { $0.sentVersion == 2 }
                        }
                        #expect(consumer.posts.first?.key == lost.id.uuidString.lowercased())
                    }
                }
            }
            let durations = consumer.accepted.flatMap(\.records).compactMap { $0["duration_seconds"] as? Int }
            #expect(durations == [125, 140], "the lost batch's version 1, then version 2")
        }

        /// A batch of a consumer no longer in `CALLS_CDR_EXPORTS` (the operator removed it) is closed, its
        /// deliveries stay `pending` for the day the consumer is back, and the consumers still configured are
        /// not held up.
        @Test func aBatchOfARemovedConsumerIsClosedAndItsDeliveriesWait() async throws {
            let consumer = CdrConsumer { _, _ in (.ok, "") }
            try await consumer.run { url in
                try await Stack.withMigrated { plain, database in
                    let stack = Self.stack(plain, consumers: [("billing", url)])
                    try await TestServices.withPostgres(database) { postgres in
                        let exports = PostgresCdrExports(client: postgres, logger: TestServices.logger)
                        let id = try await CdrRows.insert(postgres, callID: 901)
                        let settled = try #require(try await exports.settledChangeSeq(consumers: ["gone"]))
                        #expect(try await exports.schedule(consumer: "gone", upTo: settled, limit: 10) == 1)
                        let batch = try #require(try await exports.formBatch(consumer: "gone", size: 10))
                        let (redis, queue) = stack.makeQueue()
                        try await queue.enqueue(Job(kind: .export, callID: batch.id))
                        try await stack.withWorker {
                            try await Self.waitForDeliveries(postgres, [id], consumer: "billing") { $0.status == "sent" }
                            try await expectEventually("the removed consumer's batch closed", within: 30) {
                                let status = try await postgres.query(
                                    "SELECT status, error FROM cdr_export_batches WHERE id = \(batch.id)", logger: TestServices.logger
                                ).decode((String, String?).self).collectAll()
                                return status.first?.0 == "done" && status.first?.1 == "consumer no longer configured"
                            }
                        }
                        await redis.shutdown()
                        let waiting = try #require(try await CdrRows.delivery(postgres, id: id, consumer: "gone"))
                        #expect(waiting.status == "pending" && waiting.version == 1, "\(waiting)")
                    }
                }
            }
            #expect(consumer.accepted.flatMap(\.callIDs) == [901])
        }

        /// A change number is taken before its transaction commits: while a transaction holding a lower
        /// number is open, no cursor may pass the higher numbers already committed.
        @Test func noCursorMovesPastANumberAnOpenTransactionStillHolds() async throws {
            try await Stack.withMigrated { _, database in
                try await TestServices.withPostgres(database) { postgres in
                    let exports = PostgresCdrExports(client: postgres, logger: TestServices.logger)
                    try await postgres.withConnection { open in
                        _ = try await open.query("BEGIN", logger: TestServices.logger)
                        // Another source and operator: the statistics rollups the insert's trigger writes are
                        // other rows than the second insert's, so it does not wait for this transaction.
                        _ = try await open.query(
                            CdrRows.insertion(callID: 801, source: "pbx2", operatorID: 99), logger: TestServices.logger)
                        try await CdrRows.insert(postgres, callID: 802)
                        #expect(try await exports.settledChangeSeq(consumers: ["billing"]) == nil, "801's number may still commit")
                        _ = try await open.query("COMMIT", logger: TestServices.logger)
                    }
                    let settled = try #require(try await exports.settledChangeSeq(consumers: ["billing"]))
                    #expect(settled == 2)
                    #expect(try await exports.schedule(consumer: "billing", upTo: settled, limit: 10) == 2)
                    #expect(try await exports.settledChangeSeq(consumers: ["billing"]) == 2, "nothing new: no lock needed")
                }
            }
        }
    }
}
