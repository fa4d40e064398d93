@testable import CallsAPI
import CPUBoundTesting
import Foundation
import NIOCore
import TestSupport
import Testing

/// MultipartKit 4.7.1 trapped on a header name byte ≥ 0x80, and no multipart parser bounds header sections or
/// parts by itself; the guard must catch every such body at every chunk size, and let every well-formed one through (non-ASCII
/// file names and binary content included).
@Suite(.cpuBound) struct MultipartFramingGuardTests {
    static func violation(
        _ body: Data, boundary: String, chunkSize: Int, limits: MultipartFramingGuard.Limits = .init()
    ) -> MultipartFramingGuard.Violation? {
        var guardian = MultipartFramingGuard(boundary: boundary, limits: limits)
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + chunkSize)
            do {
                try guardian.inspect(ByteBuffer(bytes: body[offset..<end]))
            } catch {
                return error
            }
            offset = end
        }
        return nil
    }

    static func accepted(_ body: Data, boundary: String, chunkSize: Int) -> Bool {
        violation(body, boundary: boundary, chunkSize: chunkSize) == nil
    }

    static let chunkSizes = [1, 2, 3, 5, 13, 64, 4096, 1 << 20]

    @Test(arguments: chunkSizes)
    func refusesANonASCIIHeaderNameAnywhere(chunkSize: Int) {
        let boundary = "xyz"
        let bodies = [
            "--xyz\r\nConte\u{E9}nt-Disposition: form-data; name=\"file\"\r\n\r\nabc\r\n--xyz--\r\n",
            "preamble\r\n--xyz\r\n\u{FF}: x\r\n\r\nabc\r\n--xyz--\r\n",
            "--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--xyz\r\nX-\u{100}: y\r\n\r\nz\r\n--xyz--\r\n",
        ]
        for text in bodies {
            #expect(Self.violation(Data(text.utf8), boundary: boundary, chunkSize: chunkSize) == .nonASCIIHeaderName, "\(text)")
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

    @Test(arguments: chunkSizes)
    func refusesAHeaderSectionOverItsSize(chunkSize: Int) {
        let limits = MultipartFramingGuard.Limits(maxHeaderSectionBytes: 100)
        let long =
            "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(String(repeating: "a", count: 100))\"\r\n\r\nx\r\n--b--\r\n"
        #expect(Self.violation(Data(long.utf8), boundary: "b", chunkSize: chunkSize, limits: limits) == .headerSectionTooLarge)
        // A header that never ends is refused once the section passes the limit, not when the body ends.
        let endless = Data(("--b\r\nX: " + String(repeating: "v", count: 5000)).utf8)
        #expect(Self.violation(endless, boundary: "b", chunkSize: chunkSize) == nil)
        #expect(
            Self.violation(endless, boundary: "b", chunkSize: chunkSize, limits: .init(maxHeaderSectionBytes: 4096))
                == .headerSectionTooLarge)
        // Exactly at the limit passes: the bound counts the section's bytes, CRLFs included.
        let section = "X: 1\r\n\r\n"
        let exact = MultipartFramingGuard.Limits(maxHeaderSectionBytes: section.utf8.count)
        #expect(Self.violation(Data("--b\r\n\(section)x\r\n--b--\r\n".utf8), boundary: "b", chunkSize: chunkSize, limits: exact) == nil)
    }

    @Test(arguments: chunkSizes)
    func refusesTooManyHeaderLines(chunkSize: Int) {
        let limits = MultipartFramingGuard.Limits(maxHeadersPerPart: 3)
        func body(headers: Int) -> Data {
            Data(("--b\r\n" + String(repeating: "X: 1\r\n", count: headers) + "\r\nx\r\n--b--\r\n").utf8)
        }
        #expect(Self.violation(body(headers: 3), boundary: "b", chunkSize: chunkSize, limits: limits) == nil)
        #expect(Self.violation(body(headers: 4), boundary: "b", chunkSize: chunkSize, limits: limits) == .tooManyHeaders)
    }

    @Test(arguments: chunkSizes)
    func refusesTooManyParts(chunkSize: Int) {
        let limits = MultipartFramingGuard.Limits(maxParts: 3)
        func body(parts: Int) -> Data {
            Data((String(repeating: "--b\r\nX: 1\r\n\r\nv\r\n", count: parts) + "--b--\r\n").utf8)
        }
        #expect(Self.violation(body(parts: 3), boundary: "b", chunkSize: chunkSize, limits: limits) == nil)
        #expect(Self.violation(body(parts: 4), boundary: "b", chunkSize: chunkSize, limits: limits) == .tooManyParts)
    }

    @Test func anUploadWithSuchAHeaderIsRefusedAndTheServerCarriesOn() async throws {
        try await RouteHarness.run { _, client in
            let id = try await client.createCall()
            let body = Data("--b\r\nX-\u{E9}: 1\r\n\r\nabc\r\n--b--\r\n".utf8)
            let (status, problem) = try await client.upload(body, contentType: "multipart/form-data; boundary=b", to: id)
            #expect(status == .badRequest)
            #expect(problem.problem?.code == "invalid_multipart")
            // The refused upload left nothing behind: the call takes its recording.
            let upload = Fixtures.multipart(Fixtures.wav())
            let (accepted, _) = try await client.upload(upload.finished(), contentType: upload.contentType, to: id)
            #expect(accepted == .accepted)
        }
    }

    @Test func oversizedHeadersAndTenThousandPartsAreRefusedThroughTheRoute() async throws {
        try await RouteHarness.run { _, client in
            let id = try await client.createCall()
            let endless = Data(("--b\r\nX-Long: " + String(repeating: "v", count: 100_000)).utf8)
            let (headerStatus, headerProblem) = try await client.upload(endless, contentType: "multipart/form-data; boundary=b", to: id)
            #expect(headerStatus.code == 431)
            #expect(headerProblem.problem?.code == "multipart_headers_too_large")

            let tiny = Data((String(repeating: "--b\r\nA: 1\r\n\r\n\r\n", count: 10_000) + "--b--\r\n").utf8)
            let (partsStatus, partsProblem) = try await client.upload(tiny, contentType: "multipart/form-data; boundary=b", to: id)
            #expect(partsStatus == .badRequest)
            #expect(partsProblem.problem?.code == "too_many_parts")

            let upload = Fixtures.multipart(Fixtures.wav())
            let (accepted, _) = try await client.upload(upload.finished(), contentType: upload.contentType, to: id)
            #expect(accepted == .accepted)
        }
    }
}
