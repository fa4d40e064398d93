import Crypto
import Foundation

/// `GET /docs`: the contract's operations rendered on the server into one self-contained page. No script and
/// nothing from another origin, so the page cannot be changed by a CDN or a man in the middle, works offline,
/// and is served under a Content-Security-Policy that allows only its own inline style (by hash).
struct ContractDocsPage: Sendable {
    let html: String
    let contentSecurityPolicy: String

    init(contract: APIContract) {
        let title = Self.infoValue("title", in: contract.yaml) ?? "API"
        let version = Self.infoValue("version", in: contract.yaml).map { " \($0)" } ?? ""
        let rows = ContractOperation.parse(contract.yaml).map { operation in
            """
            <section id="\(Self.escape(operation.operationID))">
            <h2><span class="method">\(Self.escape(operation.method))</span> <code>\(Self.escape(operation.path))</code></h2>
            <p><strong>\(Self.escape(operation.summary))</strong> <small>\(Self.escape(operation.operationID))</small></p>
            \(operation.description.isEmpty ? "" : "<pre>\(Self.escape(operation.description))</pre>")
            </section>
            """
        }
        html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Self.escape(title))</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            <h1>\(Self.escape(title + version))</h1>
            <p>Every operation of the contract. Schemas, parameters and error codes are in <a href="/openapi.yaml">/openapi.yaml</a> (OpenAPI 3.1).</p>
            \(rows.joined(separator: "\n"))
            </body>
            </html>
            """
        let styleHash = Data(SHA256.hash(data: Data(Self.style.utf8))).base64EncodedString()
        contentSecurityPolicy =
            "default-src 'none'; style-src 'sha256-\(styleHash)'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    }

    static let style = """
        body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}\
        section{border-top:1px solid #ddd;padding:.5rem 0}h2{font-size:1.05rem;margin:.4rem 0}\
        .method{display:inline-block;min-width:4.5rem;font-family:monospace;color:#fff;background:#456;padding:0 .4rem}\
        pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem;font-size:13px}small{color:#777}
        """

    /// A top-level `info` entry (`  title: …`), unquoted.
    private static func infoValue(_ key: String, in yaml: String) -> String? {
        var inInfo = false
        for line in yaml.split(separator: "\n") {
            if !line.hasPrefix(" ") { inInfo = line.hasPrefix("info:") }
            guard inInfo, line.hasPrefix("  \(key):") else { continue }
            let value = line.dropFirst(key.count + 3).trimmingCharacters(in: .whitespaces)
            return value.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
        return nil
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
