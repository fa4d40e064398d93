import CallsCore
import Crypto
import Foundation

/// The wallboard (`web/panel.html`), read once at start-up and served at `GET /panel` under a
/// Content-Security-Policy that allows only its own inline style and script (by hash) and requests to its
/// own origin. The page holds no data: it asks for an API key and reads `/queues/status` with it.
public struct WallboardPage: Sendable {
    public let html: String
    public let contentSecurityPolicy: String

    public init(html: String) throws(ConfigurationError) {
        guard let script = Self.body(of: "script", in: html), let style = Self.body(of: "style", in: html) else {
            throw ConfigurationError(
                variable: "CALLS_PANEL_PAGE_FILE", problem: "the wallboard page needs one inline <style> and one inline <script>")
        }
        self.html = html
        contentSecurityPolicy =
            "default-src 'none'; script-src '\(Self.hash(script))'; style-src '\(Self.hash(style))'; connect-src 'self'; "
            + "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    }

    public init(path: String) throws(ConfigurationError) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError(variable: "CALLS_PANEL_PAGE_FILE", problem: "'\(path)' is not readable as the wallboard page")
        }
        try self.init(html: text)
    }

    /// The text between `<tag>` and `</tag>`, exactly as the browser hashes it.
    static func body(of tag: String, in html: String) -> String? {
        guard let open = html.range(of: "<\(tag)>"), let close = html.range(of: "</\(tag)>", range: open.upperBound..<html.endIndex)
        else { return nil }
        return String(html[open.upperBound..<close.lowerBound])
    }

    static func hash(_ text: String) -> String {
        "sha256-" + Data(SHA256.hash(data: Data(text.utf8))).base64EncodedString()
    }
}
