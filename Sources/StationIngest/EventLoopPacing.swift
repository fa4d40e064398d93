import NIOCore

/// Keeps a writer at most `maximumAhead` writes ahead of the event loop that takes them (per upload: `--parallel
/// N` uploads may hold N times that).
///
/// grpc-swift serializes each upload message into a buffer of its own (our 8-chunk window no longer holds it)
/// and hands it to the connection's event loop; the loop tells the writer to wait only once the socket is
/// full, so a loop starved of CPU (two cores shared with the API) learns of it late and the serialized copies
/// pile up: 19-27 MB of private memory during a 1 GB upload at load average 9-10. After every `writesPerMark`
/// writes a mark is queued on the loop behind them; once more than `maximumMarks` marks are pending, the writer
/// waits for the oldest, by which time the loop has taken every write before it. This relies on NIO's async
/// channel writer handing each write to the loop with `execute`, in order with the marks, when the writer is not
/// on the loop itself (it never is here). The loop must be the connection's, or the marks pace nothing.
struct EventLoopPacing {
    let loop: any EventLoop
    /// Writes between two marks: a mark per write cost 15 % of the upload rate (a wake-up per 64 KiB).
    let writesPerMark: Int
    let maximumMarks: Int
    private var marks: [EventLoopFuture<Void>] = []
    private var writesSinceMark = 0

    init(loop: any EventLoop, writesPerMark: Int = 4, maximumMarks: Int = 2) {
        self.loop = loop
        self.writesPerMark = writesPerMark
        self.maximumMarks = maximumMarks
    }

    /// The most writes the loop may not have taken yet when `wrote()` returns.
    var maximumAhead: Int { writesPerMark * (maximumMarks + 1) - 1 }

    /// Call after each write handed to `loop`.
    mutating func wrote() async throws {
        writesSinceMark += 1
        guard writesSinceMark == writesPerMark else { return }
        writesSinceMark = 0
        marks.append(loop.submit {})
        if marks.count > maximumMarks { try await marks.removeFirst().get() }
    }
}
