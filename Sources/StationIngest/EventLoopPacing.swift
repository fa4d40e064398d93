import NIOCore

/// Keeps a writer within `maximumAhead + 1` writes of the event loop that takes them (per upload: `--parallel N`
/// uploads may hold N times that).
///
/// grpc-swift serializes each upload message into a buffer of its own (our 8-chunk window no longer holds it)
/// and hands it to the connection's event loop; the loop tells the writer to wait only once the socket is
/// full, so a loop starved of CPU (two cores shared with the API) learns of it late and the serialized copies
/// pile up: 19-27 MB of private memory during a 1 GB upload at load average 9-10. After each write a mark is
/// queued on the loop behind it; once more than `maximumAhead` marks are pending, the writer waits for the
/// oldest, by which time the loop has taken that write and every one before it. This relies on NIO's async
/// channel writer handing each write to the loop with `execute`, in order with the marks, when the writer is not
/// on the loop itself (it never is here). The loop must be the connection's, or the marks pace nothing.
struct EventLoopPacing {
    let loop: any EventLoop
    let maximumAhead: Int
    private var marks: [EventLoopFuture<Void>] = []

    init(loop: any EventLoop, maximumAhead: Int = 4) {
        self.loop = loop
        self.maximumAhead = maximumAhead
    }

    /// Call after each write handed to `loop`.
    mutating func wrote() async throws {
        marks.append(loop.submit {})
        if marks.count > maximumAhead { try await marks.removeFirst().get() }
    }
}
