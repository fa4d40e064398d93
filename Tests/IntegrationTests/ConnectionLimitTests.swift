import CallsAPI
import CallsCore
import Foundation
import ServiceLifecycle
import TestSupport
import Testing

extension IntegrationSuite {
    /// Slow and greedy clients against the production server: a head that never ends, a body that stalls or
    /// trickles, more connections than the cap; and the streams that must not be cut.
    @Suite struct ConnectionLimitTests {
        static func stack(_ plain: Stack, idle: Int = 1, maxConnections: Int = 1000, minRate: Int = 16 * 1024) -> Stack {
            var stack = plain
            stack.api.httpIdleTimeoutSeconds = idle
            stack.api.httpMaxConnections = maxConnections
            stack.api.uploadMinBytesPerSecond = minRate
            return stack
        }

        /// Sends `pieces` one by one, `interval` apart, until the server closes; the seconds that took, or nil
        /// if it kept the connection open throughout.
        static func secondsUntilClosed(_ connection: RawHTTPConnection, sending pieces: [String], interval: Double) async throws -> Double?
        {
            try await offThePool {
                let start = Date()
                for piece in pieces {
                    if connection.isClosedByPeer { return Date().timeIntervalSince(start) }
                    connection.send(piece)
                    Thread.sleep(forTimeInterval: interval)
                }
                return connection.isClosedByPeer ? Date().timeIntervalSince(start) : nil
            }
        }

        @Test func aRequestHeadThatNeverEndsIsClosedAtTheIdleTimeout() async throws {
            try await Stack.withMigrated { plain, _ in
                try await Self.stack(plain).withAPI { client in
                    let connection = try RawHTTPConnection(port: client.port!)
                    // A header byte every 200 ms for up to 12 s: the head is never complete.
                    let pieces = ["GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: "] + Array(repeating: "a", count: 60)
                    let seconds = try await Self.secondsUntilClosed(connection, sending: pieces, interval: 0.2)
                    #expect(seconds != nil && seconds! < 8, "\(String(describing: seconds))")
                }
            }
        }

        @Test func anUploadThatStallsIsClosedAndLeavesNoFile() async throws {
            try await Stack.withMigrated { plain, _ in
                let stack = Self.stack(plain)
                try await stack.withAPI { client in
                    let id = try await client.createCall()
                    let connection = try RawHTTPConnection(port: client.port!)
                    let start = """
                        POST /calls/\(id)/recording HTTP/1.1\r\nHost: a\r\nContent-Type: multipart/form-data; boundary=b\r
                        Content-Length: 100000\r\n\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF
                        """
                    let seconds = try await Self.secondsUntilClosed(
                        connection, sending: [start] + Array(repeating: "", count: 60), interval: 0.2)
                    #expect(seconds != nil && seconds! < 8, "\(String(describing: seconds))")
                    #expect(try await waitUntil(within: 5) { stack.recordings.files().isEmpty }, "\(stack.recordings.files())")
                }
            }
        }

        /// Any route, not only uploads: a body nobody reads is still drained, so a trickle into `GET /healthz`
        /// must be cut too (at twice the upload's grace).
        @Test func aBodyTrickledIntoAnyRouteIsClosed() async throws {
            try await Stack.withMigrated { plain, _ in
                try await Self.stack(plain, idle: 1, minRate: 2000).withAPI { client in
                    let connection = try RawHTTPConnection(port: client.port!)
                    let head = "GET /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000\r\n\r\n"
                    // A byte every 0.4 s for up to 16 s: never idle for a second, but far below 2000 bytes/s.
                    let seconds = try await Self.secondsUntilClosed(
                        connection, sending: [head] + Array(repeating: "a", count: 40), interval: 0.4)
                    #expect(seconds != nil && seconds! < 10, "\(String(describing: seconds))")
                }
            }
        }

        @Test func anUploadThatTricklesIsRefusedWith408() async throws {
            try await Stack.withMigrated { plain, _ in
                let stack = Self.stack(plain, idle: 1, minRate: 2000)
                try await stack.withAPI { client in
                    let id = try await client.createCall()
                    let connection = try RawHTTPConnection(port: client.port!, receiveTimeoutSeconds: 10)
                    let answer = try await offThePool {
                        connection.send(
                            """
                            POST /calls/\(id)/recording HTTP/1.1\r\nHost: a\r\nContent-Type: multipart/form-data; boundary=b\r
                            Content-Length: 100000\r\n\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n
                            """)
                        // 100 bytes every 0.4 s: never idle for a second, but 250 bytes/s against 2000.
                        for _ in 0..<25 where !connection.hasAnswerOrClosed {
                            connection.send(String(repeating: "x", count: 100))
                            Thread.sleep(forTimeInterval: 0.4)
                        }
                        return connection.receive(until: "}")
                    }
                    #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
                    #expect(answer.contains("\"upload_too_slow\""))
                    #expect(try await waitUntil(within: 5) { stack.recordings.files().isEmpty })
                }
            }
        }

        /// The application run as `calls-api serve` runs it. (HummingbirdTesting's live server rebuilds the
        /// configuration without `availableConnectionsDelegate`, so the cap can only be seen this way.)
        static func serve(_ plain: Stack, _ body: @Sendable (Int) async throws -> Void) async throws {
            var stack = plain
            let port = try RedisServerProcess.freePort()
            stack.api.httpPort = port
            let app = try buildApplication(configuration: stack.api, migrations: .require, logger: TestServices.logger)
            let group = ServiceGroup(services: [app], logger: TestServices.logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                defer { tasks.cancelAll() }
                #expect(try await waitUntil(within: 10) { (try? RawHTTPConnection(port: port)) != nil })
                do {
                    try await body(port)
                } catch {
                    await group.triggerGracefulShutdown()
                    throw error
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }

        @Test func connectionsOverTheCapWaitUntilOneCloses() async throws {
            try await Stack.withMigrated { plain, _ in
                try await Self.serve(Self.stack(plain, idle: 30, maxConnections: 2)) { port in
                    let request = "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"
                    // One at a time: the server accepts up to four waiting connections in one read, so the cap
                    // holds for connections that arrive while it is reached.
                    let first = try RawHTTPConnection(port: port)
                    let firstAnswer = try await offThePool {
                        first.send(request)
                        return first.receive(until: "ok")
                    }
                    let second = try RawHTTPConnection(port: port)
                    let secondAnswer = try await offThePool {
                        second.send(request)
                        return second.receive(until: "ok")
                    }
                    let answers = [firstAnswer, secondAnswer]
                    let third = try RawHTTPConnection(port: port, receiveTimeoutSeconds: 1)
                    let waiting = try await offThePool {
                        third.send(request)
                        return third.receive(until: "\r\n\r\n")
                    }
                    #expect(answers.allSatisfy { $0.hasPrefix("HTTP/1.1 200") }, "\(answers)")
                    #expect(waiting.isEmpty, "the third connection is not served while two are open: \(waiting)")
                    let answered = try await offThePool { () -> String in
                        first.close()
                        return third.receive(until: "ok")
                    }
                    _ = second
                    #expect(answered.hasPrefix("HTTP/1.1 200"), "\(answered)")
                }
            }
        }

        /// An event stream is a response being written: the idle timeout never cuts it.
        @Test func anEventStreamOutlivesTheIdleTimeout() async throws {
            try await Stack.withMigrated { plain, _ in
                try await Self.stack(plain, idle: 1).withAPI { client in
                    let id = try await client.createCall()
                    let connection = try RawHTTPConnection(port: client.port!, receiveTimeoutSeconds: 5)
                    let (first, closed) = try await offThePool {
                        connection.send("GET /calls/\(id)/events HTTP/1.1\r\nHost: a\r\n\r\n")
                        let first = connection.receive(until: "event: status")
                        Thread.sleep(forTimeInterval: 2.5)
                        return (first, connection.isClosedByPeer)
                    }
                    #expect(first.contains("event: status"))
                    #expect(!closed)
                }
            }
        }
    }
}
