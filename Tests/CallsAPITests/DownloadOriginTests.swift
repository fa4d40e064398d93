@testable import CallsAPI
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

/// The API's own download URLs never take their host from what the client alone says.
@Suite struct DownloadOriginTests {
    static let forwarded: HTTPFields = [
        DownloadOrigin.forwardedProto: "https", DownloadOrigin.forwardedHost: "calls.example.com",
    ]

    @Test func withoutAPublicURLTheLinkIsAPathWhateverTheHeadersSay() {
        #expect(DownloadOrigin(publicURL: nil, trustForwardedHeaders: false) == .relative)
        #expect(DownloadOrigin.relative.prefix(headers: Self.forwarded, authority: "evil.example") == "")
    }

    @Test func aPublicURLWinsOverEveryHeader() {
        let origin = DownloadOrigin(publicURL: "https://api.example.com", trustForwardedHeaders: true)
        #expect(origin.prefix(headers: Self.forwarded, authority: "evil.example") == "https://api.example.com")
    }

    @Test(
        arguments: [
            ("https", "calls.example.com", "h", "https://calls.example.com"),
            // The proxy appends: only the last entry is its own, the ones before it may be the client's.
            ("http, HTTPS", "evil.example, calls.example.com:8443", "h", "https://calls.example.com:8443"),
            ("http", nil, "inner.example:8000", "http://inner.example:8000"),
            ("https", "[::1]:8443", "h", "https://[::1]:8443"),
            (nil, "calls.example.com", "h", ""),
            ("ftp", "calls.example.com", "h", ""),
            ("javascript", "calls.example.com", "h", ""),
            ("https", "evil.example/x?", "h", ""),
            ("https", "user@evil.example", "h", ""),
            ("https", "évil.example", "h", ""),
            ("https", nil, nil, ""),
        ] as [(String?, String?, String?, String)])
    func aTrustedProxyNamesSchemeAndHost(proto: String?, host: String?, authority: String?, expected: String) {
        var headers: HTTPFields = [:]
        if let proto { headers[DownloadOrigin.forwardedProto] = proto }
        if let host { headers[DownloadOrigin.forwardedHost] = host }
        #expect(DownloadOrigin.forwarded.prefix(headers: headers, authority: authority) == expected)
    }

    /// A raw request, so the `Host` header is exactly the one a hostile client would send.
    @Test func aClientsHostHeaderNeverEndsUpInTheLink() async throws {
        try await RouteHarness.run(live: true) { _, client in
            let id = try await client.createCall()
            let body = Fixtures.multipart(Fixtures.wav())
            #expect(try await client.upload(body.finished(), contentType: body.contentType, to: id).0 == .accepted)

            let connection = try RawHTTPConnection(port: try #require(client.port))
            connection.send(
                Data(
                    ("GET /calls/\(id)/download HTTP/1.1\r\nHost: evil.example\r\n"
                        + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example\r\nConnection: close\r\n\r\n").utf8))
            let response = connection.receive(until: "}")
            #expect(response.hasPrefix("HTTP/1.1 200"), "\(response)")
            let json = try #require(response.range(of: "\r\n\r\n").map { Data(response[$0.upperBound...].utf8) })
            let url = try JSONBody(json).decode(DownloadLinkDocument.self).url
            #expect(url.hasPrefix("/recordings/"), "\(url)")
            #expect(!url.contains("evil"))
        }
    }
}
