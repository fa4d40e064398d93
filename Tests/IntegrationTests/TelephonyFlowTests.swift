import CallsCore
import EventBus
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import QueuePanel
import Testing
import TestSupport

extension IntegrationSuite {
    /// Queue events through the real API, the stream and a real worker's panel role into what `/queues/status`,
    /// `/queues/{queue}` and `/agents` show: exactly what the pure rules give, and unchanged by every batch
    /// being sent twice.
    @Suite struct TelephonyFlowTests {
        let rules = PanelRules(calendar: PanelCalendar(timeZone: TimeZone(identifier: "UTC")!))

        /// The morning of `PanelStoreTests`, moved to end at `end` (so it counts today, no sweep takes it for
        /// lost, and its lag is small), as each PBX's queue_log lines.
        static func logs(endingAt end: Date) -> [String: [String]] {
            let events = PanelStoreTests.morning()
            let shift = end.timeIntervalSince(events.last!.time).rounded(.down)
            var logs: [String: [String]] = [:]
            for event in events {
                let epoch = Int(event.time.timeIntervalSince1970 + shift)
                let fields = ["\(epoch)", event.callID, event.queue, event.agent, event.name.text] + event.data
                logs[event.source, default: []].append(fields.joined(separator: "|") + "\n")
            }
            return logs
        }

        struct Answer: Decodable {
            var accepted: Int
            var duplicates: Int
            var unknown: Int
        }

        /// Posts each PBX's log in batches of `batch` lines with their offsets; the answers summed.
        static func post(_ logs: [String: [String]], batch: Int, client: any TestClientProtocol) async throws -> Answer {
            var total = Answer(accepted: 0, duplicates: 0, unknown: 0)
            for (source, lines) in logs.sorted(by: { $0.key < $1.key }) {
                var offset = 0
                for start in stride(from: 0, to: lines.count, by: batch) {
                    let body = lines[start..<min(start + batch, lines.count)].joined()
                    let answer = try await client.execute(
                        uri: "/events?source=\(source)&offset=\(offset)", method: .post, headers: [.contentType: "text/plain"],
                        body: ByteBuffer(string: body)
                    ) { response in
                        #expect(response.status == .accepted)
                        return try JSONBody(response.body).decode(Answer.self)
                    }
                    total.accepted += answer.accepted
                    total.duplicates += answer.duplicates
                    total.unknown += answer.unknown
                    offset += body.utf8.count
                }
            }
            return total
        }

        /// The events the API made of the logs, parsed here the same way: the truth the panel must show.
        func expectedState(_ logs: [String: [String]]) -> PanelState {
            var events: [QueueEvent] = []
            for (source, lines) in logs {
                events += QueueLogParser.parse(Array(lines.joined().utf8), source: source, firstOffset: 0).events
            }
            // Each PBX's events in order; the two PBXs touch different calls and agents, so their interleaving
            // does not matter.
            var state = PanelState()
            for event in events { state.apply(event, rules: rules) }
            return state
        }

        static func status(_ client: any TestClientProtocol) async throws -> PanelStatus {
            try await client.execute(uri: "/queues/status", method: .get) { response in
                #expect(response.status == .ok)
                return try JSONBody(response.body).decode(PanelStatus.self)
            }
        }

        @Test func queueLogLinesThroughTheAPIShowInTheStatusExactlyOnce() async throws {
            let logs = Self.logs(endingAt: Date().addingTimeInterval(-5))
            let lineCount = logs.values.map(\.count).reduce(0, +)
            let expected = expectedState(logs)
            let calendar = rules.calendar
            try await Stack.withMigrated { stack, _ in
                try await stack.withWorker {
                    try await stack.withAPI { client in
                        let first = try await Self.post(logs, batch: 9, client: client)
                        #expect(first.accepted == lineCount && first.duplicates == 0 && first.unknown == 2)
                        let status = try await poll(within: 30, { try await Self.status(client) }) { status in
                            status.queues == expected.queueStatuses(now: status.generatedAt, today: calendar.day(of: status.generatedAt))
                        }
                        #expect(
                            status.queues == expected.queueStatuses(now: status.generatedAt, today: calendar.day(of: status.generatedAt)))
                        #expect(status.queues.contains { $0.today.offered > 0 && $0.calls.waiting > 0 })
                        #expect(!status.stale, "applied seconds after it happened: \(String(describing: status.lagSeconds))")
                        #expect(status.lagSeconds != nil && status.lastEventAt != nil)

                        // Every batch again, cut differently: all duplicates, and the panel is unchanged.
                        let again = try await Self.post(logs, batch: 13, client: client)
                        #expect(again.accepted == 0 && again.duplicates == lineCount)
                        let after = try await Self.status(client)
                        #expect(after.queues == expected.queueStatuses(now: after.generatedAt, today: calendar.day(of: after.generatedAt)))

                        let support = try await client.execute(uri: "/queues/support", method: .get) { response in
                            try JSONBody(response.body).decode(QueueDetail.self)
                        }
                        let now = Date()
                        var shown = support
                        shown.waiting = shown.waiting.map {
                            var caller = $0
                            caller.waitSeconds = 0
                            return caller
                        }
                        var truth = try #require(expected.queueDetail("support", now: now, today: calendar.day(of: now)))
                        truth.waiting = truth.waiting.map {
                            var caller = $0
                            caller.waitSeconds = 0
                            return caller
                        }
                        #expect(shown == truth)
                        struct Agents: Decodable { var agents: [AgentDetail] }
                        let agents = try await client.execute(uri: "/agents", method: .get) { try JSONBody($0.body).decode(Agents.self) }
                        #expect(agents.agents == expected.agentDetails())

                        // The stream's groups in /metrics: everything read and acknowledged.
                        let key = TelephonyStreamKeys(namespace: stack.api.queue.name).stream
                        let labels = "{stream=\"\(key)\",group=\"panel\"}"
                        let metrics = try await poll(
                            within: 20, every: .seconds(1),
                            {
                                try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
                            }
                        ) { $0.contains("calls_stream_pending\(labels) 0.0\n") }
                        #expect(metrics.contains("calls_stream_pending\(labels) 0.0\n"), "\(metrics)")
                        #expect(metrics.contains("calls_stream_lag\(labels) 0.0\n"))
                        #expect(metrics.contains("calls_stream_oldest_unacknowledged_seconds\(labels) 0"))
                        #expect(metrics.contains("calls_stream_length{stream=\"\(key)\"} "))
                    }
                }
            }
        }
    }
}
