@testable import CallsAPI
import CPUBoundTesting
import CallsCore
import Foundation
import HummingbirdTesting
import Logging
import Synchronization
import TestSupport
import Testing

/// Long polls and event streams over a real socket: their places in the hub are given back however the
/// client leaves, they are capped, and a graceful shutdown ends them at once.
@Suite struct EventStreamTests {
    static var quietLogger: Logger {
        var logger = Logger(label: "event-stream-test")
        logger.logLevel = .warning
        return logger
    }

    /// The client leaves before the head (the body closure never runs), while the first event is written, or
    /// later: none of them may keep a subscription, and memory must not grow with them.
    @Test(.cpuBound) func connectAndResetCyclesLeaveNoSubscriptionAndMemoryFlat() async throws {
        let hub = CallStatusHub()
        try await RouteHarness.run(live: true, logger: Self.quietLogger, configure: { $0.statusChanges = hub }) { _, client in
            let id = try await client.createCall()
            let port = client.port!
            let request = "GET /calls/\(id)/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            try await Self.dropStreams(500, port: port, request: request)
            #expect(try await waitUntil(within: 10) { hub.subscriberCount == 0 })
            let before = LoopbackDrop.residentBytes()
            let started = ContinuousClock.now
            try await Self.dropStreams(5000, port: port, request: request)
            let took = ContinuousClock.now - started
            // Well under the 15 s keep-alive: a place is given back when the connection goes, not at the next write.
            let drained = try await waitUntil(within: 5) { hub.subscriberCount == 0 }
            #expect(drained, "\(hub.subscriberCount) subscriptions left after 5 000 dropped streams (sent in \(took))")
            #expect(hub.watchedCallCount == 0)
            let growth = LoopbackDrop.residentBytes() - before
            #expect(growth < 32 << 20, "resident memory grew by \(growth >> 20) MiB over 5 000 dropped streams")
            #expect(try await client.json(.get, "/calls/\(id)?wait=0").0 == .ok, "and the server still answers")
        }
    }

    /// Three in four leave with an RST, the others with a plain close (answered by an RST once the server writes).
    static func dropStreams(_ count: Int, port: Int, request: String) async throws {
        try await offThePool {
            for cycle in 0..<count { try LoopbackDrop.sendAndDrop(port: port, request: request, reset: cycle % 4 != 0) }
        }
    }

    @Test func onlyRequestsThatWatchACallAreEndedWhenTheirClientHalfCloses() {
        for target in ["/calls/1/events", "/calls/1/events/", "/calls/1?wait=30", "/calls/1?x=1&wait=5"] {
            #expect(HalfClosedClientHandler.isWatch(target), "\(target)")
        }
        for target in ["/calls/1", "/recordings/1/content?expires=1&signature=x", "/calls/1/recording", "/calls?await=1"] {
            #expect(!HalfClosedClientHandler.isWatch(target), "\(target)")
        }
    }

    /// A live stream over a new call with its first event read, and the hub that holds its place.
    static func withOpenStream(
        _ body: @escaping @Sendable (CallStatusHub, RawHTTPConnection, _ port: Int, _ callID: String) async throws -> Void
    ) async throws {
        let hub = CallStatusHub()
        try await RouteHarness.run(live: true, logger: Self.quietLogger, configure: { $0.statusChanges = hub }) { _, client in
            let id = try await client.createCall()
            let port = client.port!
            let (stream, head) = try await offThePool {
                let stream = try RawHTTPConnection(port: port, receiveTimeoutSeconds: 10)
                stream.send("GET /calls/\(id)/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                return (stream, stream.receive(until: "id: created\n"))
            }
            #expect(head.contains("200 OK"))
            #expect(hub.subscriberCount == 1)
            try await body(hub, stream, port, id)
        }
    }

    /// A plain close (FIN) of an idle stream: the server sees only a half-closed connection, and must still
    /// give the place back within its grace, not at the next keep-alive 15 s later.
    @Test func anIdleStreamWhoseClientClosesGivesItsPlaceBackWithinTheGrace() async throws {
        try await Self.withOpenStream { hub, stream, port, id in
            stream.shutdownWrite()
            #expect(try await waitUntil(within: 8) { hub.subscriberCount == 0 }, "still \(hub.subscriberCount)")
            // An ordinary request from a client that half-closes after sending it is still answered.
            let answer = try await offThePool {
                let plain = try RawHTTPConnection(port: port, receiveTimeoutSeconds: 10)
                plain.send("GET /calls/\(id) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                plain.shutdownWrite()
                return plain.receive(until: "\"status\"")
            }
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
        }
    }

    @Test func anIdleStreamWhoseClientResetsGivesItsPlaceBackAtOnce() async throws {
        try await Self.withOpenStream { hub, stream, _, _ in
            stream.resetOnClose()
            stream.close()
            let released = try await waitUntil(within: 3) { hub.subscriberCount == 0 }
            #expect(released, "not at the next keep-alive, 15 s on")
        }
    }

    @Test func overTheCapsLongPollsAndStreamsAreRefusedWithProblems() async throws {
        let hub = CallStatusHub(limits: .init(perCall: 1, total: 2))
        try await RouteHarness.run(configure: { $0.statusChanges = hub }) { _, client in
            let busy = try await client.createCall()
            let other = try await client.createCall()
            let third = try await client.createCall()
            let watcher = try hub.subscribe(to: UUID(uuidString: busy)!)
            for uri in ["/calls/\(busy)/events", "/calls/\(busy)?wait=5"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .tooManyRequests, "\(uri)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect(response.headers[.retryAfter] == "5")
                    #expect(problemCode(response) == "too_many_watchers")
                }
            }
            #expect(try await client.json(.get, "/calls/\(busy)?wait=0").0 == .ok, "no wait needs no place")
            #expect(try await client.json(.get, "/calls/\(UUID().uuidString)/events").0 == .notFound, "an unknown call is 404 first")

            let otherWatcher = try hub.subscribe(to: UUID(uuidString: other)!)
            for uri in ["/calls/\(third)/events", "/calls/\(third)?wait=5"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .serviceUnavailable, "\(uri)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect(response.headers[.retryAfter] == "5")
                    #expect(problemCode(response) == "watchers_exhausted")
                }
            }
            watcher.end()
            otherWatcher.end()
            let (status, call) = try await client.json(.get, "/calls/\(third)?wait=1", as: Call.self)
            #expect(status == .ok && call.status == .created)
            #expect(hub.subscriberCount == 0)
        }
    }

    /// SIGTERM starts a graceful shutdown, and the server waits for the responses in progress: open streams
    /// and long polls must end at once instead of after their 20 s.
    @Test func aGracefulShutdownEndsOpenStreamsAndLongPollsAtOnce() async throws {
        let hub = CallStatusHub()
        let held = HeldConnections()
        try await RouteHarness.run(
            live: true, logger: Self.quietLogger,
            configure: {
                $0.statusChanges = hub
                $0.eventStreamLifetime = .seconds(20)
            }
        ) { _, client in
            let id = try await client.createCall()
            let port = client.port!
            let (stream, head) = try await offThePool {
                let stream = try RawHTTPConnection(port: port, receiveTimeoutSeconds: 30)
                stream.send(Data("GET /calls/\(id)/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
                return (stream, stream.receive(until: "id: created\n"))
            }
            #expect(head.contains("200 OK"))
            let poll = try RawHTTPConnection(port: port, receiveTimeoutSeconds: 30)
            poll.send(Data("GET /calls/\(id)?wait=20 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
            #expect(try await waitUntil(within: 5) { hub.subscriberCount == 2 })
            held.hold(stream: stream, poll: poll)
        }
        let shutdownTook = ContinuousClock.now - held.shutdownStarted
        #expect(shutdownTook < .seconds(5), "the graceful shutdown took \(shutdownTook)")
        let (rest, answer) = try await offThePool {
            (held.stream?.receive(until: "0\r\n\r\n") ?? "", held.poll?.receive(until: "\"created\"") ?? "")
        }
        #expect(rest.hasSuffix("0\r\n\r\n"), "the stream ended properly: \(rest)")
        #expect(answer.contains("200 OK"), "the long poll answered: \(answer)")
        #expect(hub.subscriberCount == 0)
    }
}

/// Connections kept open past the test body, so the graceful shutdown after it finds them open.
private final class HeldConnections: @unchecked Sendable {
    private(set) var stream: RawHTTPConnection?
    private(set) var poll: RawHTTPConnection?
    private(set) var shutdownStarted = ContinuousClock.now

    func hold(stream: RawHTTPConnection, poll: RawHTTPConnection) {
        self.stream = stream
        self.poll = poll
        shutdownStarted = .now
    }
}
