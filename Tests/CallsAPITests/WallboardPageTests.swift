@testable import CallsAPI
import CallsCore
import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport

/// `/panel`: the wallboard page, public, under a policy that lets only its own style and script run.
@Suite struct WallboardPageTests {
    @Test func thePageIsServedWithThePolicyOfItsOwnScriptAndStyle() async throws {
        let page = try WallboardPage(path: "web/panel.html")
        let script = try #require(WallboardPage.body(of: "script", in: page.html))
        let digest = Data(SHA256.hash(data: Data(script.utf8))).base64EncodedString()
        #expect(page.contentSecurityPolicy.contains("script-src 'sha256-\(digest)'"))
        #expect(page.contentSecurityPolicy.hasPrefix("default-src 'none';") && page.contentSecurityPolicy.contains("connect-src 'self'"))
        try await RouteHarness.run(configure: { $0.wallboard = page }) { _, client in
            try await client.execute(uri: "/panel", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[.contentSecurityPolicy] == page.contentSecurityPolicy)
                #expect(String(buffer: response.body).contains("queues/status"))
            }
        }
    }

    @Test(arguments: ["<html><script>x()</script></html>", "<html><style>p{}</style></html>", ""])
    func aPageWithoutItsInlineStyleAndScriptStopsStartUp(html: String) {
        let error = #expect(throws: ConfigurationError.self) { try WallboardPage(html: html) }
        #expect(error?.variable == "CALLS_PANEL_PAGE_FILE")
    }

    @Test func aMissingPageStopsStartUp() {
        let error = #expect(throws: ConfigurationError.self) { try WallboardPage(path: "/nonexistent/panel.html") }
        #expect(error?.variable == "CALLS_PANEL_PAGE_FILE")
    }
}
