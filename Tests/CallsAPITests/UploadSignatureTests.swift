@testable import CallsAPI
import Foundation
import TestSupport
import Testing

/// An upload whose first bytes match no accepted container is refused before libsndfile opens it.
@Suite struct UploadSignatureTests {
    /// A Creative Voice file: libsndfile reads it, but no phone system writes it, so it is not accepted.
    @Test func aFormatOutsideTheAcceptedContainersIs422() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Fixtures.wav().write(to: URL(fileURLWithPath: directory.path + "/call.wav"))
        try await ChildProcess.run("sox", [directory.path + "/call.wav", directory.path + "/call.voc"])
        let voc = try Data(contentsOf: URL(fileURLWithPath: directory.path + "/call.voc"))

        try await RouteHarness.run { harness, client in
            let id = try await client.createCall()
            let body = Fixtures.multipart(voc, filename: "call.wav")
            let (status, problem) = try await client.upload(body.finished(), contentType: body.contentType, to: id)
            #expect(status == .unprocessableContent)
            #expect(problem.problem?.code == "unsupported_media")
            #expect(problem.problem?.detail.contains("does not start like any accepted audio format") == true)
            #expect(harness.storedFiles.isEmpty)
            #expect(harness.queue.jobs.isEmpty)
        }
    }
}
