@testable import CallsAPI
import Crypto
import Foundation
import Testing

/// `/docs` is rendered on the server from the contract: every operation, no script, nothing from elsewhere.
@Suite struct ContractDocsPageTests {
    @Test func everyOperationOfTheContractIsListed() {
        let parsed = ContractOperation.parse(ContractTests.contract.yaml)
        #expect(Set(parsed.map { "\($0.method) \($0.path)" }) == ContractTests.documentedOperations())
        #expect(parsed.allSatisfy { !$0.operationID.isEmpty && !$0.summary.isEmpty })
        let upload = parsed.first { $0.operationID == "uploadRecording" }
        #expect(upload?.description.contains("\n") == true, "a `description: |` block is read whole")
        let page = ContractDocsPage(contract: ContractTests.contract).html
        for operation in parsed {
            #expect(page.contains(#"<section id="\#(operation.operationID)">"#))
        }
    }

    @Test func thePageLoadsNothingAndRunsNothing() throws {
        let docs = ContractDocsPage(contract: ContractTests.contract)
        #expect(!docs.html.lowercased().contains("<script"))
        #expect(!docs.html.contains("src=") && !docs.html.contains("<link"))
        #expect(docs.html.components(separatedBy: "href=").dropFirst().allSatisfy { $0.hasPrefix(#""/openapi.yaml""#) })
        // The only thing the policy allows is the page's own style, named by its hash.
        let style = try #require(
            docs.html.range(of: "<style>").flatMap { start in
                docs.html.range(of: "</style>").map { String(docs.html[start.upperBound..<$0.lowerBound]) }
            })
        let hash = Data(SHA256.hash(data: Data(style.utf8))).base64EncodedString()
        #expect(
            docs.contentSecurityPolicy
                == "default-src 'none'; style-src 'sha256-\(hash)'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    }

    @Test func theContractsTextIsEscaped() {
        let yaml = """
            openapi: 3.1.0
            info:
              title: "<b>T</b>"
              version: 1
            paths:
              /x/{id}:
                get:
                  operationId: "a\\"b"
                  summary: <script>alert(1)</script> & more
                  description: |
                    Line one <img src=x onerror=alert(1)>

                    Line three
                post:
                  summary: 'quoted'
                  description: inline
            components:
              schemas:
                Thing:
                  get:
                    summary: not an operation
            """
        let operations = ContractOperation.parse(yaml)
        #expect(
            operations == [
                ContractOperation(
                    method: "GET", path: "/x/{id}", operationID: #"a\"b"#,
                    summary: "<script>alert(1)</script> & more",
                    description: "Line one <img src=x onerror=alert(1)>\n\nLine three"),
                ContractOperation(method: "POST", path: "/x/{id}", summary: "quoted", description: "inline"),
            ])
        let page = ContractDocsPage(contract: APIContract(yaml: yaml)).html
        #expect(!page.contains("<script>") && !page.contains("<img") && !page.contains("<b>"))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"))
        #expect(page.contains("<title>&lt;b&gt;T&lt;/b&gt;</title>"))
    }
}
