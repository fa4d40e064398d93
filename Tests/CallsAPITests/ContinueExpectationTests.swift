import Foundation
import TestSupport
import Testing

/// curl sends `Expect: 100-continue` for bodies over 1 MiB and waits a second for the interim response
/// unless the server sends it.
@Suite struct ContinueExpectationTests {
    @Test func theServerInvitesTheBodyAtOnceAndThenAcceptsIt() async throws {
        try await RouteHarness.run(live: true) { harness, client in
            let id = try await client.createCall()
            let port = try #require(client.port)
            let body = Fixtures.multipart(Fixtures.wav()).finished()
            let boundary = String(decoding: body.prefix(while: { $0 != 13 }).dropFirst(2), as: UTF8.self)

            let connection = try RawHTTPConnection(port: port)
            connection.send(
                Data(
                    """
                    POST /calls/\(id)/recording HTTP/1.1\r
                    Host: 127.0.0.1\r
                    Content-Type: multipart/form-data; boundary=\(boundary)\r
                    Content-Length: \(body.count)\r
                    Expect: 100-continue\r
                    \r

                    """.utf8))
            // Without the interim response this read times out empty: the server would be waiting for the body.
            let interim = connection.receive(until: "\r\n\r\n")
            #expect(interim.hasPrefix("HTTP/1.1 100 Continue"), "got: \(interim)")

            connection.send(body)
            let final = connection.receive(until: "\"status\"")
            #expect(final.hasPrefix("HTTP/1.1 202"), "got: \(final.prefix(200))")
            #expect(harness.queue.jobs.count == 1)
        }
    }
}
