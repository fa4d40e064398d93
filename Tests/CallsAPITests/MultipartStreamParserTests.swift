@testable import CallsAPI
import Foundation
import NIOCore
import TestSupport
import Testing

/// The parser must read what MultipartKit read, refuse what it refused, at every chunk size, and hand over
/// a part's body in slices as large as the chunks allow.
@Suite struct MultipartStreamParserTests {
    /// What the events of a whole body add up to: headers, each part's body, completed parts.
    struct Parsed: Equatable {
        var headers: [[String]] = []
        var bodies: [[UInt8]] = []
        var completed = 0
        var bodySlices = 0
    }

    static func parse(_ body: Data, boundary: String, chunkSize: Int) throws -> Parsed {
        var parser = MultipartStreamParser(boundary: boundary)
        var parsed = Parsed()
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + chunkSize)
            try parser.execute(ByteBuffer(bytes: body[offset..<end])) { event in
                switch event {
                case .header(let name, let value):
                    if parsed.headers.count == parsed.completed { parsed.headers.append([]) }
                    parsed.headers[parsed.completed].append("\(name)=\(value)")
                case .body(let slice):
                    if parsed.bodies.count == parsed.completed { parsed.bodies.append([]) }
                    parsed.bodies[parsed.completed] += slice.readableBytesView
                    parsed.bodySlices += 1
                case .partComplete:
                    parsed.completed += 1
                }
            }
            offset = end
        }
        return parsed
    }

    static let chunkSizes = [1, 2, 3, 5, 13, 64, 4096, 1 << 20]

    /// A delimiter is CRLF `--boundary`: one in the middle of a preamble line is preamble.
    @Test(arguments: chunkSizes)
    func aBoundaryInsideAPreambleLineIsNotADelimiter(chunkSize: Int) throws {
        let body = Data("x--b\r\nX-Not: header\r\n\r\nnot the file\r\n--b\r\nX-Real: yes\r\n\r\nfile\r\n--b--\r\n".utf8)
        let parsed = try Self.parse(body, boundary: "b", chunkSize: chunkSize)
        #expect(parsed.headers == [["X-Real=yes"]])
        #expect(parsed.bodies == [Array("file".utf8)])
    }

    /// Chunks that each end where a delimiter could begin (a CR in a part's body, a dash-only preamble with a
    /// dash boundary): what the parser keeps for the next chunk stays that small, instead of the slice that
    /// held every chunk joined so far, copied again with each one.
    @Test(arguments: [
        ("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\n", "b", "xxxxxxx\r"),
        ("", "----abc", "--------"),
    ])
    func aPossibleDelimiterAtEveryChunksEndIsNotKeptWhole(opening: String, boundary: String, pattern: String) throws {
        var parser = MultipartStreamParser(boundary: boundary)
        var bodyBytes = 0
        try parser.execute(ByteBuffer(string: opening)) { _ in }
        let chunk = ByteBuffer(string: String(repeating: pattern, count: 512))
        var largestCarried = 0
        for _ in 0..<2000 {
            try parser.execute(chunk) { event in
                if case .body(let slice) = event { bodyBytes += slice.readableBytes }
            }
            largestCarried = max(largestCarried, parser.carried.capacity)
        }
        #expect(largestCarried <= 1024, "kept \(largestCarried) bytes for the next chunk")
        if !opening.isEmpty { #expect(bodyBytes >= 2000 * chunk.readableBytes - 8) }
    }

    @Test(arguments: chunkSizes)
    func readsPartsHeadersAndBinaryBodies(chunkSize: Int) throws {
        // CRs, CRLFs, "--" and the boundary without its CRLF inside the content: none of them ends the body.
        let content = Array("a\r\r\nb\r\n-\r\n--\r\n--boun\r\n--boundar--boundary".utf8) + [0x0D]
        var body = Data("preamble, ignored\r\n--boundary\r\n".utf8)
        body += Data("Content-Disposition: form-data; name=\"file\"; filename=\"x.wav\"\r\nX-Empty:\r\nX-Pad: \t v \r\n\r\n".utf8)
        body += Data(content) + Data("\r\n--boundary\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n\r\n".utf8)
        body += Data("--boundary--\r\nepilogue, ignored: \r\n--boundary\r\nbad header\r\n".utf8)
        let parsed = try Self.parse(body, boundary: "boundary", chunkSize: chunkSize)
        #expect(
            parsed.headers == [
                ["Content-Disposition=form-data; name=\"file\"; filename=\"x.wav\"", "X-Empty=", "X-Pad=v "],
                ["Content-Disposition=form-data; name=\"f\""],
            ])
        #expect(parsed.bodies == [content])
        #expect(parsed.completed == 2)
    }

    /// MultipartKit cut the body at every CR byte (about one byte in 256 of audio) and copied each cut;
    /// here each chunk of the body is one slice, and only a real delimiter look-alike splits it.
    @Test func aBodyArrivesInOneSlicePerChunk() throws {
        let content = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        #expect(content.filter { $0 == 0x0D }.count > 700)
        var body = MultipartBody(boundary: "b0undary")
        body.addFile(filename: "a.wav", content: Data(content))
        let chunkSize = 64 * 1024
        let parsed = try Self.parse(body.finished(), boundary: "b0undary", chunkSize: chunkSize)
        #expect(parsed.bodies == [content])
        #expect(parsed.bodySlices <= body.finished().count / chunkSize + 1)
    }

    @Test(arguments: [1, 7, 4096])
    func refusesWhatMultipartKitRefused(chunkSize: Int) {
        let malformed = [
            "--b--\r\n",  // the first delimiter must open a part
            "--bx\r\n\r\nv\r\n--b--\r\n",
            "--b\rX: 1\r\n\r\nv\r\n--b--\r\n",
            "--b\r\nno colon\r\n\r\nv\r\n--b--\r\n",
            "--b\r\n: empty name\r\n\r\nv\r\n--b--\r\n",
            "--b\r\nBad Name: 1\r\n\r\nv\r\n--b--\r\n",
            "--b\r\nX(: 1\r\n\r\nv\r\n--b--\r\n",
            "--b\r\nX: 1\r\r\n\r\nv\r\n--b--\r\n",
            "--b\r\nX: 1\r\n\rv\r\n--b--\r\n",
            "--b\r\nX: 1\r\n\r\nv\r\n--b \r\n",  // only CRLF or "-" may follow a delimiter
            "--b\r\nX: 1\r\n\r\nv\r\n--b\rX",
        ]
        for body in malformed {
            #expect(throws: MultipartStreamParser.Malformed.self, "\(body.debugDescription)") {
                _ = try Self.parse(Data(body.utf8), boundary: "b", chunkSize: chunkSize)
            }
        }
    }

    @Test func aHeaderValueThatIsNotUTF8IsEmpty() throws {
        let body = Data("--b\r\nX: a".utf8) + Data([0xFF]) + Data("\r\n\r\nv\r\n--b--".utf8)
        #expect(try Self.parse(body, boundary: "b", chunkSize: 3).headers == [["X="]])
    }

    /// A body cut short: its bytes so far are handed over, except those that may begin a delimiter.
    @Test func anUnfinishedBodyKeepsOnlyAPossibleDelimiter() throws {
        let parsed = try Self.parse(Data("--b\r\n\r\nabc\r\n-".utf8), boundary: "b", chunkSize: 100)
        #expect(parsed.bodies == [Array("abc".utf8)])
        #expect(parsed.completed == 0)
    }
}
