import CallsCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import QueueTraffic
import Testing
import TestSupport

/// Generated queue_log traffic for tests that push it through the API: each PBX's log as lines, pushed from
/// where the last push stopped (with the offsets the PBX's pusher would send), and the generator's truth.
/// The generator is done generating when this is made; the test's tasks only ask it for its truth, one at
/// a time, under the lock.
final class QueueLogReplay: @unchecked Sendable {
    private let generator: TrafficGenerator
    private let lock = NSLock()
    let logs: [String: [String]]
    private var cursors: [String: (line: Int, offset: Int)]
    let lineCount: Int

    /// Traffic of `configuration` from its start up to `end`.
    init(_ configuration: TrafficConfiguration, through end: Date) {
        generator = TrafficGenerator(configuration)
        var logs: [String: [String]] = [:]
        let lines = generator.lines(through: Int(end.timeIntervalSince1970))
        for line in lines { logs[line.source, default: []].append(line.text + "\n") }
        self.logs = logs
        lineCount = lines.count
        cursors = logs.mapValues { _ in (0, 0) }
    }

    func truth(now: Date) -> TrafficTruth {
        lock.withLock { generator.truth(now: now) }
    }

    struct Answer: Decodable, Sendable {
        var accepted = 0
        var duplicates = 0
        /// Statuses of the POSTs that were not 202 (each stops its PBX's push).
        var refusals: [Int] = []

        enum CodingKeys: CodingKey { case accepted, duplicates }
    }

    /// Pushes up to `count` further lines of every PBX in batches of `batch`; the answers summed. A batch
    /// the API refuses (503 while Redis is away) is not advanced past, as a pusher would retry it.
    func push(_ count: Int, batch: Int, client: any TestClientProtocol) async throws -> Answer {
        var total = Answer()
        for source in logs.keys.sorted() {
            let log = logs[source]!
            var (line, offset) = lock.withLock { cursors[source]! }
            let end = min(line + count, log.count)
            while line < end {
                let body = log[line..<min(line + batch, end)].joined()
                let (status, answer) = try await client.execute(
                    uri: "/events?source=\(source)&offset=\(offset)", method: .post, headers: [.contentType: "text/plain"],
                    body: ByteBuffer(string: body)
                ) { response in
                    (
                        response.status,
                        response.status == .accepted ? try JSONDecoder().decode(Answer.self, from: Data(buffer: response.body)) : nil
                    )
                }
                guard status == .accepted, let answer else {
                    total.refusals.append(status.code)
                    break
                }
                total.accepted += answer.accepted
                total.duplicates += answer.duplicates
                line += body.split(separator: "\n").count
                offset += body.utf8.count
                lock.withLock { cursors[source] = (line, offset) }
            }
        }
        return total
    }

    var pushedEverything: Bool {
        lock.withLock { cursors.allSatisfy { logs[$0.key]!.count == $0.value.line } }
    }

    /// What a screen shows: a queue with nobody in it and nothing counted today is left out on both sides.
    static func shown(_ queues: [ExpectedQueueStatus]) -> [ExpectedQueueStatus] {
        queues.filter { queue in
            queue.agents.loggedIn > 0 || queue.calls.waiting > 0 || queue.today.offered > 0 || queue.today.answered > 0
                || queue.today.abandoned > 0 || queue.today.timedOut > 0 || queue.today.avgTalkSeconds != nil
        }
    }

    struct ShownStatus: Decodable {
        var generatedAt: String
        var queues: [ExpectedQueueStatus]

        enum CodingKeys: String, CodingKey {
            case generatedAt = "generated_at"
            case queues
        }
    }

    /// Polls `/queues/status` until it shows exactly the truth (or `seconds` pass); whether it did.
    func statusMatchesTruth(client: any TestClientProtocol, within seconds: Double) async throws -> Bool {
        let last = try await poll(
            within: seconds, every: .milliseconds(200),
            {
                try await client.execute(uri: "/queues/status", method: .get) { response -> ShownStatus? in
                    guard response.status == .ok else { return nil }
                    return try JSONDecoder().decode(ShownStatus.self, from: Data(buffer: response.body))
                }
            }
        ) { [self] status in
            guard let status, let now = Timestamp.parse(status.generatedAt) else { return false }
            return Self.shown(status.queues) == Self.shown(truth(now: now).queues)
        }
        guard let last, let now = Timestamp.parse(last.generatedAt) else { return false }
        return Self.shown(last.queues) == Self.shown(truth(now: now).queues)
    }
}
