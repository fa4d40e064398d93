import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport

/// Small JSON helpers over the live test client.
extension TestClientProtocol {
    func json(_ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil) async throws -> (HTTPResponse.Status, [String: Any]) {
        try await execute(
            uri: uri, method: method, headers: [.contentType: "application/json"], body: body.map { ByteBuffer(string: $0) }
        ) { response in
            (response.status, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:])
        }
    }

    func createCall(caller: String = "+7 900 123-45-67", receiver: String = "+1 555 0100") async throws -> String {
        let (status, call) = try await json(.post, "/calls", """
            {"caller": "\(caller)", "receiver": "\(receiver)", "started_at": "2026-11-21T09:30:00Z"}
            """)
        guard status == .created, let id = call["id"] as? String else { throw SetupError("POST /calls answered \(status)") }
        return id
    }

    /// A new call with a spoken dialogue uploaded (202): the usual start of a test about what follows.
    func uploadedCall() async throws -> String {
        let id = try await createCall()
        let (status, problem) = try await streamUpload(
            port: port!, callID: id, body: IntegrationSuite.CallFlowTests.multipart(IntegrationSuite.CallFlowTests.dialogue()), chunkSize: 65_536)
        guard status == 202 else { throw SetupError("the upload answered \(status): \(problem)") }
        return id
    }

    /// Polls the call until it is `ready` or `failed`, for at most `seconds`.
    func waitForFinalStatus(_ id: String, seconds: Double = 30) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while true {
            let (_, call) = try await json(.get, "/calls/\(id)")
            let status = call["status"] as? String
            if status == "ready" || status == "failed" || ContinuousClock.now > deadline { return call }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// Uploads through a real HTTP client that streams the body in chunks of `chunkSize` bytes.
func streamUpload(
    port: Int, callID: String, body: MultipartBody, chunkSize: Int, headers: [String: String] = [:]
) async throws -> (Int, [String: Any]) {
    let data = body.finished()
    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/calls/\(callID)/recording")
    request.method = .POST
    request.headers.add(name: "Content-Type", value: body.contentType)
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    request.body = .stream(ChunkedBytes(data: data, chunkSize: chunkSize), length: .known(Int64(data.count)))
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
    let bytes = try await response.body.collect(upTo: 1 << 20)
    let object = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] ?? [:]
    return (Int(response.status.code), object)
}
