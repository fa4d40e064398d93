import MultipartKit
import NIOCore

/// Where the bytes of the uploaded file go.
protocol UploadSink {
    func append(_ chunk: ByteBuffer) async throws
}

/// Streams the `file` field of a multipart/form-data body into a sink without ever holding the file in
/// memory. MultipartKit hands over body bytes in small slices (it splits at every CR byte), so they are
/// gathered into writes of about 256 KiB: each write is a trip to the I/O threads, and a typical call
/// recording (8 kHz, a few minutes) then takes a handful. At most one network chunk plus one write is ever
/// buffered per upload.
struct MultipartFileReceiver {
    static let fieldName = "file"
    static let writeSize = 256 * 1024

    let boundary: String
    /// The most bytes the file may have.
    let limit: Int64
    var framing = MultipartFramingGuard.Limits()
    /// Nil: no minimum rate (tests of other things).
    var pace: UploadPace?

    /// Room for multipart framing and small fields on top of the file itself: the whole body may be at most
    /// `limit` plus this, counted on the stream, so a body without `Content-Length` has a cap too.
    static var framingAllowance: Int64 { 64 * 1024 }

    struct Received: Equatable {
        var filename: String?
        var byteCount: Int64
    }

    enum Failure: Error, Equatable {
        case tooLarge
        case headersTooLarge(String)
        case tooManyParts(limit: Int)
        case tooSlow(bytesPerSecond: Int)
        case malformed(String)
        case missingFile
    }

    /// Collects what the synchronous parser callbacks see between two awaits.
    private final class Collector {
        var pending = ByteBuffer()
        var filename: String?
        var sawFile = false
        var fileComplete = false
        var inFilePart = false
        var duplicateFile = false
        var byteCount: Int64 = 0
    }

    func receive<Body: AsyncSequence>(_ body: Body, into sink: some UploadSink) async throws -> Received
    where Body.Element == ByteBuffer {
        let collector = Collector()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in
            guard name.lowercased() == "content-disposition" else { return }
            let disposition = MultipartHeaders.disposition(value)
            guard disposition.name == Self.fieldName else { return }
            if collector.sawFile { collector.duplicateFile = true }
            collector.sawFile = true
            collector.inFilePart = true
            collector.filename = disposition.filename
        }
        parser.onBody = { slice in
            guard collector.inFilePart else { return }
            collector.byteCount += Int64(slice.readableBytes)
            collector.pending.writeBuffer(&slice)
        }
        parser.onPartComplete = {
            if collector.inFilePart { collector.fileComplete = true }
            collector.inFilePart = false
        }

        var framingGuard = MultipartFramingGuard(boundary: boundary, limits: framing)
        var bodyBytes: Int64 = 0
        let started = ContinuousClock.now
        for try await chunk in body {
            bodyBytes += Int64(chunk.readableBytes)
            if bodyBytes > limit + Self.framingAllowance { throw Failure.tooLarge }
            if let pace, pace.isTooSlow(bytes: bodyBytes, elapsed: .now - started) {
                throw Failure.tooSlow(bytesPerSecond: pace.bytesPerSecond)
            }
            do {
                try framingGuard.inspect(chunk)
            } catch {
                throw failure(for: error)
            }
            do {
                try parser.execute(chunk)
            } catch {
                throw Failure.malformed("the multipart body is malformed")
            }
            if collector.duplicateFile { throw Failure.malformed("send exactly one field named 'file'") }
            if collector.byteCount > limit { throw Failure.tooLarge }
            if collector.pending.readableBytes >= Self.writeSize {
                try await flush(collector, into: sink)
            }
        }
        try await flush(collector, into: sink)
        guard collector.sawFile else { throw Failure.missingFile }
        guard collector.fileComplete else {
            throw Failure.malformed("the body ended before the closing boundary of the 'file' field")
        }
        return Received(filename: collector.filename, byteCount: collector.byteCount)
    }

    private func failure(for violation: MultipartFramingGuard.Violation) -> Failure {
        switch violation {
        case .nonASCIIHeaderName: .malformed("a part's header name holds a byte that is not ASCII")
        case .headerSectionTooLarge: .headersTooLarge("a part's headers are over \(framing.maxHeaderSectionBytes) bytes")
        case .tooManyHeaders: .headersTooLarge("a part has more than \(framing.maxHeadersPerPart) header lines")
        case .tooManyParts: .tooManyParts(limit: framing.maxParts)
        }
    }

    private func flush(_ collector: Collector, into sink: some UploadSink) async throws {
        guard collector.pending.readableBytes > 0 else { return }
        let chunk = collector.pending
        collector.pending = ByteBuffer()
        try await sink.append(chunk)
    }
}
