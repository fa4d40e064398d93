import CallsCore
import Foundation
import Hummingbird
import NIOCore

/// The API's contract, `openapi.yaml`, read once at start-up: the file in the repository is the one served,
/// so what clients read is what the schemathesis run in `make test` checked the server against.
public struct APIContract: Sendable {
    public let yaml: String

    public init(yaml: String) {
        self.yaml = yaml
    }

    public init(path: String) throws(ConfigurationError) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), text.hasPrefix("openapi:") else {
            throw ConfigurationError(
                variable: "CALLS_OPENAPI_FILE", problem: "'\(path)' is not readable as the API's openapi.yaml")
        }
        yaml = text
    }
}

/// `GET /openapi.yaml` and `GET /docs`, a page that renders it; both public.
struct ContractController {
    let contract: APIContract

    func addRoutes(to router: Router<CallsRequestContext>) {
        let yaml = ByteBuffer(string: contract.yaml)
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: yaml))
        }
        let page = ByteBuffer(string: Self.docsPage)
        router.get("/docs") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: page))
        }
    }

    /// Redoc, loaded by the browser, renders the contract; without it (offline, scripts off) the page still
    /// links to the YAML.
    static let docsPage = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>Calls Service API</title>
        </head>
        <body>
          <noscript><p>The contract is <a href="/openapi.yaml">/openapi.yaml</a> (OpenAPI 3.1).</p></noscript>
          <redoc spec-url="/openapi.yaml"></redoc>
          <script src="https://cdn.redoc.ly/redoc/v2.1.5/bundles/redoc.standalone.js"></script>
        </body>
        </html>
        """
}
