@testable import CallsAPI
import Foundation
import NIOCore
import TestSupport
import Testing

/// MultipartKit 4.7.1 traps on a header name byte ≥ 0x80; the guard must catch every such body at every
/// chunk size, and let every well-formed one through (non-ASCII file names and binary content included).
@Suite struct MultipartHeaderNameGuardTests {
    static func accepted(_ body: Data, boundary: String, chunkSize: Int) -> Bool {
        var guardian = MultipartHeaderNameGuard(boundary: boundary)
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + chunkSize)
            guard guardian.accepts(ByteBuffer(bytes: body[offset..<end])) else { return false }
            offset = end
        }
        return true
    }

    static let chunkSizes = [1, 2, 3, 5, 13, 64, 4096, 1 << 20]

    @Test(arguments: chunkSizes)
    func refusesANonASCIIHeaderNameAnywhere(chunkSize: Int) {
        let boundary = "xyz"
        let bodies = [
            "--xyz\r\nConte\u{E9}nt-Disposition: form-data; name=\"file\"\r\n\r\nabc\r\n--xyz--\r\n",
            "preamble--xyz\r\n\u{FF}: x\r\n\r\nabc\r\n--xyz--\r\n",
            "--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--xyz\r\nX-\u{100}: y\r\n\r\nz\r\n--xyz--\r\n",
        ]
        for text in bodies {
            #expect(!Self.accepted(Data(text.utf8), boundary: boundary, chunkSize: chunkSize), "\(text)")
        }
    }

    @Test(arguments: chunkSizes)
    func letsWellFormedBodiesThrough(chunkSize: Int) {
        var body = MultipartBody()
        body.addField(name: "note", value: "caf\u{E9} --")
        body.addFile(filename: "\u{0437}\u{0432}\u{043E}\u{043D}\u{043E}\u{043A}.wav", content: MultipartFileReceiverTests.content)
        var binary = Data((0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 131) })
        binary.append(Data("\r\n-\r\n--\u{FF}: not a header\r\n".utf8))
        body.addFile(name: "other", filename: "b.bin", content: binary)
        #expect(Self.accepted(body.finished(), boundary: body.boundary, chunkSize: chunkSize))
    }

    @Test func anUploadWithSuchAHeaderIsRefusedAndTheServerCarriesOn() async throws {
        try await RouteHarness.run { _, client in
            let id = try await client.createCall()
            let body = Data("--b\r\nX-\u{E9}: 1\r\n\r\nabc\r\n--b--\r\n".utf8)
            let (status, problem) = try await client.upload(body, contentType: "multipart/form-data; boundary=b", to: id)
            #expect(status == .badRequest)
            #expect(problem["code"] as? String == "invalid_multipart")
            // The refused upload left nothing behind: the call takes its recording.
            let upload = Fixtures.multipart(Fixtures.wav())
            let (accepted, _) = try await client.upload(upload.finished(), contentType: upload.contentType, to: id)
            #expect(accepted == .accepted)
        }
    }
}
