import Activity
import CallsCore
import EventBus
import Foundation
import HTTPTypes
import HummingbirdTesting
import JobQueue
import NIOCore
import PostgresNIO
import Testing
import TestSupport

extension IntegrationSuite {
    /// `POST /api/v1/events` through the production application into real Redis streams, with the keys the
    /// ingest consumer stored before in real PostgreSQL.
    @Suite struct ActivityIngestTests {
        struct Answer: Decodable, Equatable {
            var accepted: Int
            var duplicates: Int
            var rejected: [Rejected]

            struct Rejected: Decodable, Equatable {
                var index: Int
                var reason: String
            }
        }

        static let started = Date().addingTimeInterval(-3600)

        /// Event `sequence` of `user`: its duration is its sequence, so the order can be read off the stream.
        static func event(user: String, sequence: Int, id: String? = nil) -> String {
            let fields: [String: Any] = [
                "event_id": id ?? "\(user)-\(sequence)", "source_id": "provider-1", "user_id": user, "type": "DATA",
                "started_at": Timestamp.format(started.addingTimeInterval(Double(sequence))), "duration_sec": sequence,
                "bytes_up": 10 * sequence, "bytes_down": 20 * sequence, "meta": ["cell": "A\(sequence)"],
            ]
            return String(decoding: try! JSONSerialization.data(withJSONObject: fields, options: .sortedKeys), as: UTF8.self)
        }

        static func post(_ body: String, contentType: String, client: any TestClientProtocol) async throws -> Answer {
            try await client.execute(
                uri: "/api/v1/events", method: .post, headers: [.contentType: contentType], body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .accepted)
                return try JSONBody(response.body).decode(Answer.self)
            }
        }

        /// Every entry of `stream`, oldest first, as the events they carry (nil for a payload that is not one).
        static func entries(of stream: String, redis: RedisClient) async throws -> [ActivityEvent?] {
            let reply = try await redis.command("XRANGE", stream, "-", "+")
            return (reply.array ?? []).map { entry in
                guard let parts = entry.array, parts.count == 2, let fields = parts[1].array, fields.count == 2,
                    let payload = fields[1].string
                else { return nil }
                return ActivityEvent(payload: payload)
            }
        }

        /// Records event `eventID` of provider-1 as applied by the groups whose key tables are named.
        static func markApplied(_ eventID: String, in tables: [String], url: DatabaseURL) async throws {
            try await TestServices.withPostgres(url) { postgres in
                for table in tables {
                    try await postgres.query(
                        "INSERT INTO \(unescaped: table) (source_id, event_id) VALUES ('provider-1', \(eventID))",
                        logger: TestServices.logger)
                }
            }
        }

        static func receivedCount(_ outcome: String) -> Int {
            var buffer: [UInt8] = []
            testMetricsRegistry.emit(into: &buffer)
            let prefix = #"calls_activity_received_total{outcome="\#(outcome)"} "#
            let line = String(decoding: buffer, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix(prefix) }
            return line.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
        }

        /// A key only one group applied is sent on again: the other group may never have seen it (Redis lost its
        /// entry), and the provider's copy is what brings it back.
        @Test func aKeyOnlyOneGroupAppliedIsNotADuplicate() async throws {
            try await Stack.withMigrated { stack, url in
                try await Self.markApplied("stored-only", in: ["activity_ingested_keys"], url: url)
                try await Self.markApplied("added-only", in: ["activity_aggregated_keys"], url: url)
                try await stack.withAPI { client in
                    let body = [
                        Self.event(user: "u1", sequence: 1, id: "stored-only"), Self.event(user: "u1", sequence: 2, id: "added-only"),
                    ]
                    let answer = try await Self.post(
                        "[" + body.joined(separator: ",") + "]", contentType: "application/json", client: client)
                    #expect(answer == Answer(accepted: 2, duplicates: 0, rejected: []))
                }
            }
        }

        @Test func eventsOfManyUsersLandOnTheirUsersPartitionStreamsInOrder() async throws {
            try await Stack.withMigrated { stack, url in
                try await Self.markApplied("stored-before", in: ["activity_ingested_keys", "activity_aggregated_keys"], url: url)
                let users = (0..<150).map { "4917\(100_000 + $0 * 7919)" }
                let perUser = 6
                // The users' events interleaved, as a provider sends them; half as an array, half as NDJSON.
                let events = (0..<perUser).flatMap { sequence in users.map { Self.event(user: $0, sequence: sequence) } }
                let acceptedBefore = Self.receivedCount("accepted")
                let duplicatesBefore = Self.receivedCount("duplicate")
                try await stack.withAPI { client in
                    let half = events.count / 2
                    let first = try await Self.post(
                        "[" + events[..<half].joined(separator: ",") + "]", contentType: "application/json", client: client)
                    #expect(first == Answer(accepted: half, duplicates: 0, rejected: []))
                    let stored = Self.event(user: users[0], sequence: 99, id: "stored-before")
                    let second = try await Self.post(
                        (events[half...] + [stored]).joined(separator: "\n"), contentType: "application/x-ndjson", client: client)
                    #expect(second == Answer(accepted: events.count - half, duplicates: 1, rejected: []))
                }
                #expect(Self.receivedCount("accepted") - acceptedBefore == events.count)
                #expect(Self.receivedCount("duplicate") - duplicatesBefore == 1)

                let partitions = stack.api.activity.partitions
                let keys = ActivityStreamKeys(namespace: stack.api.queue.name, partitions: partitions)
                let partitioner = ActivityPartitioner(partitions: partitions)
                let redis = RedisClient(url: stack.api.queue.redis)
                var streams: [[ActivityEvent?]] = []
                do {
                    for partition in 0..<partitions { streams.append(try await Self.entries(of: keys.stream(partition), redis: redis)) }
                    await redis.shutdown()
                } catch {
                    await redis.shutdown()
                    throw error
                }
                var seen: [String: [Int64]] = [:]
                var partitionsUsed = 0
                for (partition, entries) in streams.enumerated() {
                    if !entries.isEmpty { partitionsUsed += 1 }
                    for entry in entries {
                        let event = try #require(entry, "every entry of \(keys.stream(partition)) is an event's payload")
                        #expect(partitioner.partition(ofUser: event.userID) == partition, "\(event.userID) on partition \(partition)")
                        #expect(event.eventID != "stored-before")
                        #expect(event.bytesDown == 2 * event.bytesUp && event.meta == #"{"cell":"A\#(event.durationSeconds)"}"#)
                        seen[event.userID, default: []].append(event.durationSeconds)
                    }
                }
                #expect(partitionsUsed == partitions, "150 users reach every one of \(partitions) partitions")
                #expect(seen.count == users.count)
                for user in users { #expect(seen[user] == (0..<perUser).map(Int64.init), "\(user)'s events in the order sent") }
                // A hash tag each: on a Redis Cluster every partition may live on another node.
                let tags = keys.streams.map { key in key.split(separator: "}").first.map { $0.dropFirst() } }
                #expect(Set(tags).count == partitions)
                #expect(tags.allSatisfy { $0?.isEmpty == false })
            }
        }
    }
}
