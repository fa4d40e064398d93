@testable import CallsAPI
import CallsCore
import Foundation
import Testing
import TestSupport

/// A 100 MB `POST /api/v1/events` on a real socket: refused with 413 by its declared length before any of it
/// is sent, or, streamed without a length, once the limit has come, without waiting for its end.
@Suite struct ActivityIngestLargeBodyTests {
    static let hundredMegabytes = 100 * 1024 * 1024

    func withLiveIngest(
        settings: ActivitySettings = ActivitySettings(), _ body: @escaping @Sendable (InMemoryActivityIngest, Int) async throws -> Void
    ) async throws {
        let ingest = InMemoryActivityIngest()
        try await RouteHarness.run(
            live: true,
            configure: {
                $0.activityIngest = ingest
                $0.activitySettings = settings
            }
        ) { _, client in
            try await body(ingest, try #require(client.port))
        }
    }

    static func head(_ framing: String) -> String {
        "POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\(framing)\r\n\r\n"
    }

    @Test func aDeclared100MBBodyIsRefusedBeforeAnyOfItIsSent() async throws {
        try await withLiveIngest { ingest, port in
            let answer = try await offThePool {
                let connection = try RawHTTPConnection(port: port)
                connection.send(Self.head("Content-Length: \(Self.hundredMegabytes)"))
                // The problem document has no nested object: its first `}` ends it.
                return connection.receive(until: "}")
            }
            #expect(answer.hasPrefix("HTTP/1.1 413"), "got: \(answer.prefix(200))")
            #expect(answer.contains(#""code":"activity_body_too_large""#))
            #expect(ingest.published.isEmpty)
        }
    }

    /// The body is never finished (no last chunk): an answer at all shows the server did not wait for its end.
    @Test func aStreamedBodyIsRefusedOnceItPassesTheLimit() async throws {
        var settings = ActivitySettings()
        settings.maxBodyBytes = 1 << 20
        try await withLiveIngest(settings: settings) { ingest, port in
            let answer = try await offThePool {
                let connection = try RawHTTPConnection(port: port)
                connection.send(Self.head("Transfer-Encoding: chunked"))
                let piece = Data(String(repeating: " ", count: 65_536).utf8)
                var chunk = Data("10000\r\n".utf8)
                chunk.append(piece)
                chunk.append(Data("\r\n".utf8))
                var sent = 0
                while sent < Self.hundredMegabytes, !connection.hasAnswerOrClosed {
                    connection.send(chunk)
                    sent += piece.count
                }
                return connection.receive(until: "}")
            }
            #expect(answer.hasPrefix("HTTP/1.1 413"), "got: \(answer.prefix(200))")
            #expect(answer.contains(#""code":"activity_body_too_large""#))
            #expect(ingest.published.isEmpty)
        }
    }
}
