import CallsCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import QueuePanel
import ServiceLifecycle
import Synchronization

/// The realtime queue panel (role read): `/queues/status` (every queue, polled or streamed), one queue's
/// members and callers, and every agent.
struct QueuesController: Sendable {
    let view: PanelView
    /// How long a status stream stays open at most; the client then reconnects.
    let streamLifetime: Duration
    /// Status streams on this node share one read a second.
    let feed: PanelStatusFeed
    /// Status streams this node holds open at most (each holds a connection): `CALLS_MAX_WATCHERS`.
    let streams: StreamSlots

    func addRoutes(to routes: AccessGroups) {
        routes.read.get("/queues/status", use: status)
        routes.read.get("/queues/status/stream", use: stream)
        routes.read.get("/queues/:queue", use: queue)
        routes.read.get("/agents", use: agents)
    }

    @Sendable func status(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let status = try await view.status(logger: context.logger)
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: status.json())))
    }

    @Sendable func queue(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let name = try context.parameters.require("queue")
        guard let detail = try await view.queue(name) else { throw Problem.queueNotFound(name) }
        return try Response.json(detail)
    }

    @Sendable func agents(_ request: Request, context: CallsRequestContext) async throws -> Response {
        struct Agents: Encodable { var agents: [AgentDetail] }
        return try Response.json(Agents(agents: try await view.agents()))
    }

    /// Server-sent events: `event: status` with the status as one line of JSON, at most once a second and
    /// only when something but the clock changed, with a keep-alive comment when nothing did for 15 s.
    @Sendable func stream(_ request: Request, context: CallsRequestContext) async throws -> Response {
        // Given back when the last holder lets go: after the stream, or when the response is dropped unsent (the
        // client went away before its head was written, and the body never ran).
        guard let slot = streams.take() else { throw Problem.watchRefused(.hubFull(limit: streams.limit)) }
        let first = try await feed.snapshot(logger: context.logger)
        let feed = self.feed
        let logger = context.logger
        let closesAt = ContinuousClock.now + streamLifetime
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
            body: ResponseBody { writer in
                withExtendedLifetime(slot) {}
                let stopping = Atomic(false)
                try await withGracefulShutdownHandler {
                    try await writer.write(first.event)
                    var last = first.status
                    var lastWrite = ContinuousClock.now
                    while ContinuousClock.now < closesAt, !stopping.load(ordering: .relaxed) {
                        try await Task.sleep(for: .seconds(1))
                        if let current = try? await feed.snapshot(logger: logger), Self.differs(current.status, from: last) {
                            try await writer.write(current.event)
                            last = current.status
                            lastWrite = .now
                        } else if ContinuousClock.now - lastWrite >= .seconds(15) {
                            // Also while the status cannot be read: the screen keeps its connection and its last data.
                            try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                            lastWrite = .now
                        }
                    }
                } onGracefulShutdown: {
                    stopping.store(true, ordering: .relaxed)
                }
                try await writer.finish(nil)
            })
    }

    /// What a screen shows, apart from when it was made and the backlog's ticking age.
    static func differs(_ status: PanelStatus, from previous: PanelStatus) -> Bool {
        status.queues != previous.queues || status.stale != previous.stale || status.lastEventAt != previous.lastEventAt
            || status.lagSeconds != previous.lagSeconds
    }

}

/// A count of the streams a node holds open, refused past its limit. A place is held by a `StreamSlot` and
/// given back when that is released, whichever way the stream ends.
final class StreamSlots: Sendable {
    let limit: Int
    private let open = Atomic(0)

    init(limit: Int) {
        self.limit = limit
    }

    var count: Int { open.load(ordering: .relaxed) }

    func take() -> StreamSlot? {
        if open.add(1, ordering: .relaxed).newValue <= limit { return StreamSlot(slots: self) }
        open.subtract(1, ordering: .relaxed)
        return nil
    }

    fileprivate func give() {
        open.subtract(1, ordering: .relaxed)
    }
}

final class StreamSlot: Sendable {
    private let slots: StreamSlots

    fileprivate init(slots: StreamSlots) {
        self.slots = slots
    }

    deinit {
        slots.give()
    }
}
