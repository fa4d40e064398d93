import Foundation
import GRPCCore
import Testing

@testable import StationIngest

/// The gRPC transport's pieces that need no service: which addresses it takes, and what each status means for
/// the pair (the delivery steps must not be able to tell the transports apart).
@Suite struct GRPCCallsTransportTests {
    @Test(arguments: [
        ("calls.example.com:9090", "calls.example.com", 9090), ("grpc://10.0.0.5:50051", "10.0.0.5", 50051),
        ("[::1]:9090", "::1", 9090), ("grpc://[2001:db8::7]:443", "2001:db8::7", 443),
    ])
    func takesHostAndPort(address: String, host: String, port: Int) throws {
        let parsed = try GRPCCallsTransport.hostAndPort(address)
        #expect(parsed.0 == host && parsed.1 == port)
    }

    @Test(arguments: [
        "http://127.0.0.1:9090", "calls.example.com", "calls.example.com:0", "calls.example.com:70000", ":9090",
        "calls.example.com/api:9090", "::1:9090", "host name:9090", "grpc://", "[::1]",
    ])
    func refusesAnythingElse(address: String) {
        #expect(throws: GRPCCallsTransport.TransportAddressError.self) { try GRPCCallsTransport.hostAndPort(address) }
    }

    static func error(_ code: RPCError.Code, problem: String?, retryAfter: String? = nil) -> RPCError {
        var metadata: Metadata = [:]
        if let problem { metadata.addString(problem, forKey: "calls-problem-code") }
        if let retryAfter { metadata.addString(retryAfter, forKey: "retry-after") }
        return RPCError(code: code, message: problem.map { "\($0): it went wrong" } ?? "transport trouble", metadata: metadata)
    }

    @Test func whatMaySucceedLaterIsRetried() {
        for code in [RPCError.Code.unavailable, .deadlineExceeded, .cancelled, .aborted, .unknown, .internalError, .unimplemented] {
            guard case .retry = GRPCCallsTransport.result(of: Self.error(code, problem: nil)) as AttemptResult<Void> else {
                Issue.record("\(code) must be retried")
                continue
            }
        }
        let limited: AttemptResult<Void> = GRPCCallsTransport.result(
            of: Self.error(.resourceExhausted, problem: "rate_limited", retryAfter: "7"))
        guard case .retry(_, let retryAfter) = limited else {
            Issue.record("a rate limit must be retried")
            return
        }
        #expect(retryAfter == .seconds(7))
    }

    @Test func refusalsCarryTheRESTStatusAndTheProblem() throws {
        let cases: [(RPCError.Code, String, Int)] = [
            (.invalidArgument, "validation_failed", 422), (.alreadyExists, "recording_already_exists", 409),
            (.resourceExhausted, "payload_too_large", 413), (.unauthenticated, "invalid_api_key", 401),
            (.permissionDenied, "insufficient_role", 403), (.notFound, "call_not_found", 404),
        ]
        for (code, problem, status) in cases {
            let result: AttemptResult<Void> = GRPCCallsTransport.result(of: Self.error(code, problem: problem))
            guard case .refused(let refusedStatus, let document) = result else {
                Issue.record("\(code) \(problem) must be refused")
                continue
            }
            #expect(refusedStatus == status && ProblemDocument.code(of: document) == problem)
            let fields = try JSONSerialization.jsonObject(with: Data(document)) as? [String: Any]
            #expect(fields?["detail"] as? String == "it went wrong" && fields?["status"] as? Int == status)
        }
    }
}
