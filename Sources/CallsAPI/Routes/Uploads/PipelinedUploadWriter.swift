import NIOCore

/// Where the bytes of the uploaded file go.
protocol UploadSink: Sendable {
    func append(_ chunk: ByteBuffer) async throws
}

/// Writes an upload's bytes into its sink the way both transports need it: in writes of exactly `writeSize`
/// bytes (the last one shorter), with one write in flight while the next is gathered, so the network and the
/// parsing on one side and the hashing and the file write on the other use both cores. At most two writes are
/// held per upload.
///
/// Why exactly 256 KiB: each write is a trip to the I/O threads, so a typical call recording (8 kHz, a few
/// minutes) takes a handful; larger writes are slower, not faster (1 MiB writes made the kernel's page-cache
/// copy the bulk of the upload's time, and a 230 MiB upload twice as slow by the third one in a row).
struct PipelinedUploadWriter {
    static var writeSize: Int { 256 * 1024 }

    private let sink: any UploadSink
    private var pending = ByteBufferAllocator().buffer(capacity: Self.writeSize)
    /// The buffer of the write in flight, gathered into again once that write ended: touching memory already
    /// mapped instead of faulting in a fresh buffer, page by page, for every write (a sixth of the time of a
    /// 230 MiB upload went to that).
    private var spare: ByteBuffer?
    private var inFlight: Task<Void, any Error>?

    private init(sink: any UploadSink) {
        self.sink = sink
    }

    /// Runs `body` with a writer into `sink`, then writes what it left gathered. Returns, or throws, only once no
    /// write is in flight any more, so the caller may discard the file at once.
    static func writing<Result>(into sink: any UploadSink, _ body: (inout Self) async throws -> Result) async throws -> Result {
        var writer = Self(sink: sink)
        do {
            let result = try await body(&writer)
            try await writer.finish()
            return result
        } catch {
            _ = await writer.inFlight?.result
            throw error
        }
    }

    /// Gathers `bytes`, writing each `writeSize` bytes as they are complete; waits only when a write is due
    /// while the previous one still runs.
    mutating func append<Bytes: Collection<UInt8>>(_ bytes: Bytes) async throws {
        var rest = bytes[...]
        while !rest.isEmpty {
            let taken = rest.prefix(Self.writeSize - pending.readableBytes)
            pending.writeBytes(taken)
            rest = rest.dropFirst(taken.count)
            if pending.readableBytes == Self.writeSize { try await writePending() }
        }
    }

    /// A buffer of exactly one write arriving while nothing is gathered (a gRPC chunk of 256 KiB, the size the
    /// README's client sends) is written as it is, one copy of every byte fewer; others are gathered. The spare
    /// buffer goes then, so the writer holds no more than the empty `pending` and the write in flight.
    /// `recycling`, when given, gets the buffer back once its bytes are taken.
    mutating func append(buffer: ByteBuffer, recycling pool: ChunkBufferPool? = nil) async throws {
        guard pending.readableBytes == 0, buffer.readableBytes == Self.writeSize else {
            try await append(buffer.readableBytesView)
            pool?.giveBack(buffer)
            return
        }
        try await write(buffer, recycling: pool)
        spare = nil
    }

    private mutating func write(_ chunk: ByteBuffer, recycling pool: ChunkBufferPool? = nil) async throws {
        try await inFlight?.value
        let sink = self.sink
        inFlight = Task {
            try await sink.append(chunk)
            pool?.giveBack(chunk)
        }
    }

    private mutating func writePending() async throws {
        // Replaces the finished write's task before its buffer is taken back from `spare`.
        try await write(pending)
        // Taken out of `spare`, so that this is its only reference and `clear` keeps its memory.
        var free = spare.take() ?? ByteBufferAllocator().buffer(capacity: Self.writeSize)
        free.clear()
        spare = pending
        pending = free
    }

    private mutating func finish() async throws {
        if pending.readableBytes > 0 { try await writePending() }
        try await inFlight?.value
    }
}
