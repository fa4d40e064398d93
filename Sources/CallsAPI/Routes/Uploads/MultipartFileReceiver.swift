import NIOCore

/// Streams the `file` field of a multipart/form-data body into a sink without ever holding the file in
/// memory: the file's bytes go through `PipelinedUploadWriter`, so at most two writes and one network chunk
/// are ever held per upload.
struct MultipartFileReceiver {
    static let fieldName = "file"

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

    /// What the parser's events have shown so far.
    private struct Progress {
        var filename: String?
        var sawFile = false
        var fileComplete = false
        var inFilePart = false
        var byteCount: Int64 = 0

        /// The file's bytes in `event` go to `fileBytes`, slices of the network chunk, to be written after it.
        mutating func apply(_ event: MultipartStreamParser.Event, fileBytes: inout [ByteBuffer]) throws(Failure) {
            switch event {
            case .header(let name, let value):
                guard name.lowercased() == "content-disposition" else { return }
                let disposition = MultipartHeaders.disposition(value)
                guard disposition.name == MultipartFileReceiver.fieldName else { return }
                if sawFile { throw .malformed("send exactly one field named 'file'") }
                sawFile = true
                inFilePart = true
                filename = disposition.filename
            case .body(let slice):
                guard inFilePart else { return }
                byteCount += Int64(slice.readableBytes)
                fileBytes.append(slice)
            case .partComplete:
                if inFilePart { fileComplete = true }
                inFilePart = false
            }
        }
    }

    func receive<Body: AsyncSequence>(_ body: Body, into sink: some UploadSink) async throws -> Received
    where Body.Element == ByteBuffer {
        let progress = try await PipelinedUploadWriter.writing(into: sink) { writer in
            var parser = MultipartStreamParser(boundary: boundary)
            var progress = Progress()
            var fileBytes: [ByteBuffer] = []
            var framingGuard = MultipartFramingGuard(boundary: boundary, limits: framing)
            var bodyBytes: Int64 = 0
            let started = ContinuousClock.now
            for try await chunk in body {
                bodyBytes += Int64(chunk.readableBytes)
                if bodyBytes > limit + Self.framingAllowance { throw Failure.tooLarge }
                if let pace, pace.isTooSlow(bytes: bodyBytes, elapsed: .now - started) {
                    throw Failure.tooSlow(bytesPerSecond: pace.bytesPerSecond)
                }
                do throws(MultipartFramingGuard.Violation) {
                    try framingGuard.inspect(chunk)
                } catch {
                    throw failure(for: error)
                }
                do {
                    try parser.execute(chunk) { event in try progress.apply(event, fileBytes: &fileBytes) }
                } catch let failure as Failure {
                    throw failure
                } catch {
                    throw Failure.malformed("the multipart body is malformed")
                }
                if progress.byteCount > limit { throw Failure.tooLarge }
                for slice in fileBytes { try await writer.append(slice.readableBytesView) }
                fileBytes.removeAll(keepingCapacity: true)
            }
            return progress
        }
        guard progress.sawFile else { throw Failure.missingFile }
        guard progress.fileComplete else {
            throw Failure.malformed("the body ended before the closing boundary of the 'file' field")
        }
        return Received(filename: progress.filename, byteCount: progress.byteCount)
    }

    private func failure(for violation: MultipartFramingGuard.Violation) -> Failure {
        switch violation {
        case .nonASCIIHeaderName: .malformed("a part's header name holds a byte that is not ASCII")
        case .headerSectionTooLarge: .headersTooLarge("a part's headers are over \(framing.maxHeaderSectionBytes) bytes")
        case .tooManyHeaders: .headersTooLarge("a part has more than \(framing.maxHeadersPerPart) header lines")
        case .tooManyParts: .tooManyParts(limit: framing.maxParts)
        }
    }
}
