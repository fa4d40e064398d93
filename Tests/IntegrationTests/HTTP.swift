import AsyncHTTPClient
import CallsCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport

/// Live-stack steps over the shared JSON helpers of TestSupport.
extension TestClientProtocol {
    /// A new call with a spoken dialogue uploaded (202): the usual start of a test about what follows.
    func uploadedCall() async throws -> String {
        let id = try await createCall()
        let (status, problem) = try await streamUpload(
            port: port!, callID: id, body: IntegrationSuite.CallFlowTests.multipart(IntegrationSuite.CallFlowTests.dialogue()),
            chunkSize: 65_536)
        guard status == 202 else { throw SetupError("the upload answered \(status): \(problem)") }
        return id
    }

    /// Polls the call until it is `ready` or `failed`, for at most `seconds`; then the call as it stands.
    func waitForFinalStatus(_ id: String, seconds: Double = 30) async throws -> Call {
        try await poll(within: seconds, { try await self.call(id) }, until: \.status.isFinal)
    }
}

/// Uploads through a real HTTP client that streams the body in chunks of `chunkSize` bytes.
func streamUpload(
    port: Int, callID: String, body: MultipartBody, chunkSize: Int, headers: [String: String] = [:]
) async throws -> (Int, JSONBody) {
    let data = body.finished()
    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/calls/\(callID)/recording")
    request.method = .POST
    request.headers.add(name: "Content-Type", value: body.contentType)
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    request.body = .stream(ChunkedBytes(data: data, chunkSize: chunkSize), length: .known(Int64(data.count)))
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
    let bytes = try await response.body.collect(upTo: 1 << 20)
    return (Int(response.status.code), JSONBody(bytes))
}
