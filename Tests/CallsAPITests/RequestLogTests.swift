@testable import CallsAPI
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Observability
import Synchronization
import TestSupport
import Testing

/// Every response carries the request's id; every log line written for it carries the id too; each request
/// leaves one JSON access line.
@Suite struct RequestLogTests {
    final class CapturedLines: Sendable {
        private let lines = Mutex<[String]>([])

        var objects: [[String: Any]] {
            lines.withLock { $0 }.compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            }
        }

        func logger() -> Logger {
            Logger(label: "calls-api-test") { label in
                var handler = JSONLogHandler(label: label) { line in self.lines.withLock { $0.append(line) } }
                handler.logLevel = .debug
                return handler
            }
        }
    }

    static let requestID = HTTPField.Name("X-Request-ID")!

    @Test func aGivenIDIsEchoedAndLoggedAndEachRequestLeavesOneAccessLine() async throws {
        let captured = CapturedLines()
        try await RouteHarness.run(logger: captured.logger()) { _, client in
            try await client.execute(uri: "/calls?query=7900", method: .get, headers: [Self.requestID: "trace-42.a:b"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[Self.requestID] == "trace-42.a:b")
            }
        }
        let access = captured.objects.filter { $0["message"] as? String == "request" }
        #expect(access.count == 1)
        let line = try #require(access.first)
        #expect(line["request_id"] as? String == "trace-42.a:b")
        #expect(line["method"] as? String == "GET" && line["path"] as? String == "/calls")
        #expect(line["status"] as? String == "200" && line["level"] as? String == "info")
        #expect(Double(line["duration_ms"] as? String ?? "") != nil)
        #expect(Int(line["bytes"] as? String ?? "") ?? 0 > 0)
        #expect(line["time"] is String)
        #expect(!(String(describing: line).contains("7900")), "the query (phone digits) stays out of the log")
    }

    @Test(arguments: [nil, "", String(repeating: "a", count: 129), "bad id", "a/b", "<script>", "ünï"])
    func aMissingOrUnsafeIDIsReplacedByAFreshOne(given: String?) async throws {
        try await RouteHarness.run { _, client in
            var headers = HTTPFields()
            if let given { headers[Self.requestID] = given }
            try await client.execute(uri: "/calls", method: .get, headers: headers) { response in
                let id = try #require(response.headers[Self.requestID])
                #expect(id != given && id.count == 32 && id.allSatisfy(\.isHexDigit))
            }
        }
    }

    @Test func problemsAndTheirLogLinesCarryTheIDToo() async throws {
        let captured = CapturedLines()
        try await RouteHarness.run(logger: captured.logger()) { harness, client in
            let id = try await client.createCall()
            harness.queue.setFailing(true)
            try await client.execute(uri: "/calls/\(id)", method: .delete, headers: [Self.requestID: "delete-1"]) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[Self.requestID] == "delete-1")
            }
            try await client.execute(uri: "/nowhere", method: .get) { response in
                #expect(response.status == .notFound && response.headers[Self.requestID] != nil)
            }
        }
        let lines = captured.objects.filter { $0["request_id"] as? String == "delete-1" }
        #expect(lines.contains { $0["message"] as? String == "redis unavailable" && $0["level"] as? String == "warning" })
        #expect(lines.contains { $0["message"] as? String == "request" && $0["status"] as? String == "503" })
    }

    @Test func jsonLinesKeepStructuredMetadataAndEscapeWhatTheyMust() throws {
        let captured = CapturedLines()
        var logger = captured.logger()
        logger[metadataKey: "job"] = "analyze:1"
        logger.error("line\nbreak \"quoted\"", metadata: ["list": ["a", "b"], "nested": ["k": "v"]])
        let line = try #require(captured.objects.first)
        #expect(line["message"] as? String == "line\nbreak \"quoted\"")
        #expect(line["job"] as? String == "analyze:1" && line["level"] as? String == "error")
        #expect(line["list"] as? [String] == ["a", "b"])
        #expect((line["nested"] as? [String: String]) == ["k": "v"])
        #expect(line["label"] as? String == "calls-api-test")
    }
}
