import NIOCore

/// Keeps a writer at most `maximumAhead` writes ahead of the event loop that takes them.
///
/// grpc-swift serializes each upload message into a buffer of its own (our 8-chunk window no longer holds it)
/// and hands it to the connection's event loop; the loop tells the writer to wait only once the socket is
/// full, so a loop starved of CPU (two cores shared with the API) learns of it late and the serialized copies
/// pile up: 19-27 MB of private memory during a 1 GB upload at load average 9-10. After each write a mark is
/// queued on the loop behind it; once more than `maximumAhead` marks are pending, the writer waits for the
/// oldest, by which time the loop has taken that write and every one before it.
struct EventLoopPacing {
    let loop: any EventLoop
    var maximumAhead = 4
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
