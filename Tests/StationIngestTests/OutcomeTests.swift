import Testing

@testable import StationIngest

@Suite struct OutcomeTests {
    static func classify(_ status: Int, body: String = #"{"id": "c1"}"#, retryAfter: Duration? = nil) -> AttemptResult<String> {
        .classify(status: status, body: Array(body.utf8), retryAfter: retryAfter) { bytes in
            String(decoding: bytes, as: UTF8.self).contains("c1") ? "c1" : nil
        }
    }

    @Test(arguments: [200, 201, 202, 204])
    func twoHundredsSucceed(status: Int) {
        guard case .success("c1") = Self.classify(status) else {
            Issue.record("\(status) is not a success")
            return
        }
    }

    @Test func aTwoHundredWithAForeignBodyIsRetried() {
        guard case .retry = Self.classify(201, body: "<html>proxy</html>") else {
            Issue.record("an unreadable 201 must be retried")
            return
        }
    }

    @Test(arguments: [408, 429, 500, 502, 503, 504])
    func transientAnswersAreRetriedWithTheirRetryAfter(status: Int) {
        let problem = #"{"detail": "database down", "code": "unavailable"}"#
        guard case .retry(let reason, let retryAfter) = Self.classify(status, body: problem, retryAfter: .seconds(7)) else {
            Issue.record("\(status) must be retried")
            return
        }
        #expect(retryAfter == .seconds(7))
        #expect(reason == "HTTP \(status): database down (unavailable)")
    }

    @Test(arguments: [301, 400, 401, 403, 404, 409, 413, 415, 422])
    func everyOtherAnswerIsAPermanentRefusalKeepingTheProblem(status: Int) {
        let problem = #"{"code": "validation_failed"}"#
        guard case .refused(status, let body) = Self.classify(status, body: problem) else {
            Issue.record("\(status) must be refused")
            return
        }
        #expect(ProblemDocument.code(of: body) == "validation_failed")
    }

    @Test func aLocalProblemHasTheServiceShape() {
        let problem = ProblemDocument.local(code: "invalid_metadata", title: "Refused", detail: "caller is missing")
        #expect(ProblemDocument.code(of: problem) == "invalid_metadata")
        #expect(ProblemDocument.summary(of: problem, status: 0) == "caller is missing (invalid_metadata)")
    }
}
