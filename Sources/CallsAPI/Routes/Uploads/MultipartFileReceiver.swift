import NIOCore

/// Where the bytes of the uploaded file go.
protocol UploadSink: Sendable {
    func append(_ chunk: ByteBuffer) async throws
}

/// Streams the `file` field of a multipart/form-data body into a sink without ever holding the file in
/// memory. Body bytes are gathered into writes of about 256 KiB: each write is a trip to the I/O threads,
/// and a typical call recording (8 kHz, a few minutes) then takes a handful. One write runs while the next
/// is gathered, so the network and the parser on one side and the hashing and the file write on the other
/// use both cores; at most two writes and one network chunk are ever held per upload.
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

    /// What the parser's events have shown so far.
    private struct Progress {
        var filename: String?
        var sawFile = false
        var fileComplete = false
        var inFilePart = false
        var byteCount: Int64 = 0

        mutating func apply(_ event: MultipartStreamParser.Event, gathering pending: inout ByteBuffer) throws(Failure) {
            switch event {
            case .header(let name, let value):
                guard name.lowercased() == "content-disposition" else { return }
                let disposition = MultipartHeaders.disposition(value)
                guard disposition.name == MultipartFileReceiver.fieldName else { return }
                if sawFile { throw .malformed("send exactly one field named 'file'") }
                sawFile = true
                inFilePart = true
                filename = disposition.filename
            case .body(var slice):
                guard inFilePart else { return }
                byteCount += Int64(slice.readableBytes)
                pending.writeBuffer(&slice)
            case .partComplete:
                if inFilePart { fileComplete = true }
                inFilePart = false
            }
        }
    }

    func receive<Body: AsyncSequence>(_ body: Body, into sink: some UploadSink) async throws -> Received
    where Body.Element == ByteBuffer {
        // The group holds the write in flight; leaving it, by the end or by an error, waits for that write, so
        // the caller may discard the file as soon as this returns.
        try await withThrowingTaskGroup(of: Void.self) { writes in
            var writing = false
            func write(_ chunk: ByteBuffer) async throws {
                if writing { try await writes.next() }
                writes.addTask { try await sink.append(chunk) }
                writing = true
            }

            var parser = MultipartStreamParser(boundary: boundary)
            var progress = Progress()
            var pending = Self.writeBuffer()
            // The buffer of the write in flight, gathered into again once that write ended: gathering then
            // touches memory already mapped instead of faulting in a fresh buffer, page by page, for every write.
            var spare: ByteBuffer?
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
                    try parser.execute(chunk) { event in try progress.apply(event, gathering: &pending) }
                } catch let failure as Failure {
                    throw failure
                } catch {
                    throw Failure.malformed("the multipart body is malformed")
                }
                if progress.byteCount > limit { throw Failure.tooLarge }
                if pending.readableBytes >= Self.writeSize {
                    try await write(pending)
                    // Taken out of `spare`, so that this is its only reference and `clear` keeps its memory.
                    var free = spare.take() ?? Self.writeBuffer()
                    free.clear()
                    spare = pending
                    pending = free
                }
            }
            if pending.readableBytes > 0 { try await write(pending) }
            try await writes.waitForAll()
            guard progress.sawFile else { throw Failure.missingFile }
            guard progress.fileComplete else {
                throw Failure.malformed("the body ended before the closing boundary of the 'file' field")
            }
            return Received(filename: progress.filename, byteCount: progress.byteCount)
        }
    }

    /// Room for a whole write and the network chunk that completes it, so gathering never reallocates.
    private static func writeBuffer() -> ByteBuffer {
        ByteBufferAllocator().buffer(capacity: writeSize + 64 * 1024)
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
