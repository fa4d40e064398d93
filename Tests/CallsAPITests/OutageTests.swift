import CallsStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

/// A database that does not answer is an outage: 503 with Retry-After, never a hang or a 500.
@Suite struct OutageTests {
    @Test func aDatabaseTimeoutIsServiceUnavailable() async throws {
        try await RouteHarness.run { harness, client in
            let id = try await client.createCall()
            harness.calls.failAttachments(with: DatabaseTimeout(limit: .seconds(5)))
            let body = Fixtures.multipart(Fixtures.wav())
            try await client.execute(
                uri: "/calls/\(id)/recording", method: .post, headers: [.contentType: body.contentType],
                body: .init(bytes: body.finished())
            ) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "5")
                let problem = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(problem?["code"] as? String == "database_unavailable")
            }
            #expect(harness.storedFiles.isEmpty, "the stored file is removed when the row could not be written")
        }
    }

    @Test func aCallThatDoesNotAnswerInTimeTimesOut() async throws {
        await #expect(throws: DatabaseTimeout.self) {
            try await DatabaseDeadline.run(within: .milliseconds(50)) {
                try await Task.sleep(for: .seconds(30))
            }
        }
        #expect(try await DatabaseDeadline.run(within: .seconds(5)) { 42 } == 42)
    }
}
