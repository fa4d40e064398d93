import Foundation
import Testing
import TestSupport

@testable import StationIngest

@Suite struct FileDigestTests {
    /// FIPS 180-2 vectors, through reads smaller than, equal to and larger than the file.
    @Test(arguments: [1, 3, 7, 64, 1 << 20])
    func hashesTheWholeFileWhateverTheChunkSize(chunkSize: Int) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let vectors: [(Data, String)] = [
            (Data(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            (Data("abc".utf8), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (Data(repeating: UInt8(ascii: "a"), count: 1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
        ]
        for (index, (bytes, expected)) in vectors.enumerated() where chunkSize > 1 || bytes.count < 1000 {
            let path = directory.path + "/\(index).wav"
            try bytes.write(to: URL(fileURLWithPath: path))
            #expect(try await FileDigest.sha256(ofFileAt: path, chunkSize: chunkSize) == expected, "\(bytes.count) bytes")
        }
    }

    @Test func aFileThatIsNotThereThrows() async throws {
        await #expect(throws: FileDigest.ReadError.self) { try await FileDigest.sha256(ofFileAt: "/nonexistent/calls-ingest.wav") }
    }
}

@Suite struct CallIDTests {
    @Test(arguments: [
        "6f1c2d3e-0000-4000-8000-000000000001", "6F1C2D3E-ABCD-4EF0-9ABC-DEF012345678", "00000000-0000-0000-0000-000000000000",
    ])
    func canonicalUUIDsAreCallIDs(text: String) {
        #expect(CallID.isCanonical(text))
    }

    @Test(arguments: [
        "", "6f1c2d3e-0000-4000-8000-00000000000", "6f1c2d3e-0000-4000-8000-0000000000011", "6f1c2d3e00004000800000000000000001",
        "{6f1c2d3e-0000-4000-8000-000000000001}", "6f1c2d3e-0000-4000-8000-00000000000g", "6f1c2d3e-0000-4000-80000-00000000001",
        " 6f1c2d3e-0000-4000-8000-00000000001", "../../../../../../../../admin/keys", "6f1c2d3e-0000-4000-8000-00000000000٣",
        "6f1c2d3e-0000-4000-8000-0000000000/1", "6f1c2d3e-0000-4000-8000-00000000%2F",
    ])
    func anythingElseIsNot(text: String) {
        #expect(!CallID.isCanonical(text))
    }

    @Test func aCreateAnsweredWithAnythingElseIsRetried() {
        let good: AttemptResult<String> = .success("6f1c2d3e-0000-4000-8000-000000000001")
        guard case .success = good.requiringCallID() else {
            Issue.record("a UUID must pass")
            return
        }
        guard case .retry(let reason, nil) = AttemptResult<String>.success("x/../y").requiringCallID() else {
            Issue.record("a non-UUID must be retried")
            return
        }
        #expect(reason == "the service answered a call id that is not a UUID: 'x/../y'")
        guard case .refused(422, _) = AttemptResult<String>.refused(status: 422, problem: []).requiringCallID() else {
            Issue.record("a refusal stays a refusal")
            return
        }
    }

    @Test func theStoredRecordingsSHA256IsReadFromTheCallJSON() {
        let call = #"{"id": "c", "recording": {"id": "r", "size_bytes": 3, "sha256": "BA7816BF", "filename": "a.wav"}}"#
        #expect(HTTPCallsTransport.recordingSHA256(inCall: Array(call.utf8)) == .some("BA7816BF"))
        #expect(HTTPCallsTransport.recordingSHA256(inCall: Array(#"{"id": "c", "recording": null}"#.utf8)) == .some(nil))
        #expect(HTTPCallsTransport.recordingSHA256(inCall: Array("<html>proxy</html>".utf8)) == nil)
    }
}
