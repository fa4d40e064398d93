import CallsCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import QueueTraffic
import Testing
import TestSupport

extension IntegrationSuite {
    /// Fifty minutes of generated traffic of two PBXs (logins, pauses, callers answered, abandoned, timed out,
    /// transferred, a restart, unknown events), pushed through the API as their queue_logs in batches of
    /// varied sizes, every batch sent twice and some retried overlapping the one before, applied by a real
    /// worker: `/queues/status` shows exactly the generator's own truth.
    @Suite struct TrafficReplayTests {
        struct SeededSizes {
            var state: UInt64
            mutating func next(in range: ClosedRange<Int>) -> Int {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return range.lowerBound + Int((state >> 33) % UInt64(range.count))
            }
        }

        @Test func replayedTrafficShowsExactlyTheTruthEvenSentTwice() async throws {
            var configuration = TrafficConfiguration(seed: 1616)
            configuration.sources = ["pbx-a", "pbx-b"]
            configuration.queueCount = 6
            configuration.agentCount = 60
            configuration.callsPerHourPerQueue = 90
            configuration.meanAgentActivitySeconds = 600
            configuration.unknownEventShare = 0.03
            configuration.restarts = [.init(source: "pbx-b", afterSeconds: 1200)]
            let end = Date().addingTimeInterval(-3)
            configuration.start = end.addingTimeInterval(-3000)
            let replay = QueueLogReplay(configuration, through: end)
            #expect(replay.lineCount > 1000)
            let logs = replay.logs
            try await Stack.withMigrated { stack, _ in
                try await stack.withWorker {
                    try await stack.withAPI { client in
                        var sizes = SeededSizes(state: 7)
                        var accepted = 0
                        var duplicates = 0
                        // The PBXs' pushers run side by side: their batches interleave.
                        var cursors = logs.mapValues { _ in (line: 0, offset: 0) }
                        while cursors.contains(where: { logs[$0.key]!.count > $0.value.line }) {
                            for source in logs.keys.sorted() {
                                let (line, offset) = cursors[source]!
                                let log = logs[source]!
                                guard line < log.count else { continue }
                                let count = min(sizes.next(in: 1...60), log.count - line)
                                let body = log[line..<line + count].joined()
                                for attempt in 0..<2 {
                                    let answer = try await post(body, source: source, offset: offset, client: client)
                                    accepted += answer.accepted
                                    duplicates += answer.duplicates
                                    if attempt == 0 { #expect(answer.rejected == 0) }
                                }
                                // Now and then a retry that overlaps: the last lines of this batch and more.
                                if count > 3, sizes.next(in: 0...3) == 0, line + count < log.count {
                                    let back = log[line + count - 3..<line + count].joined().utf8.count
                                    let retry = log[line + count - 3..<min(line + count + 2, log.count)].joined()
                                    let answer = try await post(
                                        retry, source: source, offset: offset + body.utf8.count - back, client: client)
                                    accepted += answer.accepted
                                    duplicates += answer.duplicates
                                    cursors[source] = (min(line + count + 2, log.count), offset + body.utf8.count - back + retry.utf8.count)
                                    continue
                                }
                                cursors[source] = (line + count, offset + body.utf8.count)
                            }
                        }
                        #expect(accepted >= replay.lineCount, "every line accepted at least once")

                        let shown = try await poll(within: 60, { try await status(client) }) { status in
                            let now = Timestamp.parse(status.generatedAt)!
                            return QueueLogReplay.shown(status.queues) == QueueLogReplay.shown(replay.truth(now: now).queues)
                        }
                        let truth = replay.truth(now: Timestamp.parse(shown.generatedAt)!)
                        #expect(QueueLogReplay.shown(shown.queues) == QueueLogReplay.shown(truth.queues))
                        #expect(truth.queues.contains { $0.calls.waiting > 0 } && truth.queues.contains { $0.agents.onCall > 0 })
                        #expect(truth.queues.contains { $0.agents.paused > 0 } && truth.queues.contains { $0.today.abandoned > 0 })
                    }
                }
            }
        }

        struct Answer: Decodable {
            var accepted: Int
            var duplicates: Int
            var rejected: Int

            enum CodingKeys: CodingKey { case accepted, duplicates, rejected }

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                accepted = try container.decode(Int.self, forKey: .accepted)
                duplicates = try container.decode(Int.self, forKey: .duplicates)
                rejected = try container.decode([[String: String?]].self, forKey: .rejected).count
            }
        }

        func post(_ body: String, source: String, offset: Int, client: any TestClientProtocol) async throws -> Answer {
            try await client.execute(
                uri: "/events?source=\(source)&offset=\(offset)", method: .post, headers: [.contentType: "text/plain"],
                body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .accepted)
                return try JSONDecoder().decode(Answer.self, from: Data(buffer: response.body))
            }
        }

        func status(_ client: any TestClientProtocol) async throws -> QueueLogReplay.ShownStatus {
            try await client.execute(uri: "/queues/status", method: .get) { response in
                try JSONDecoder().decode(QueueLogReplay.ShownStatus.self, from: Data(buffer: response.body))
            }
        }
    }
}
