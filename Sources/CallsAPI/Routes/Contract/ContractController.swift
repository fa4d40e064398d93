import CallsCore
import Foundation
import HTTPTypes
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

/// `GET /openapi.yaml` and `GET /docs`, a page that lists its operations; both public.
struct ContractController {
    let contract: APIContract

    func addRoutes(to router: Router<CallsRequestContext>) {
        let yaml = ByteBuffer(string: contract.yaml)
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: yaml))
        }
        let docs = ContractDocsPage(contract: contract)
        let page = ByteBuffer(string: docs.html)
        let headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            .contentSecurityPolicy: docs.contentSecurityPolicy,
            .xContentTypeOptions: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
        ]
        router.get("/docs") { _, _ in
            Response(status: .ok, headers: headers, body: .init(byteBuffer: page))
        }
    }
}

/// `GET /panel`, the wallboard; public, as the page itself holds no data.
struct WallboardController {
    let page: WallboardPage

    func addRoutes(to router: Router<CallsRequestContext>) {
        let body = ByteBuffer(string: page.html)
        let headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            .contentSecurityPolicy: page.contentSecurityPolicy,
            .xContentTypeOptions: "nosniff",
            .cacheControl: "no-cache",
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
        ]
        router.get("/panel") { _, _ in
            Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
        }
    }
}
