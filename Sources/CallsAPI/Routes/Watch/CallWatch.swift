import CallsCore
import CallsStore
import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle

/// Waiting for a call to change without polling the database: `GET /calls/{id}?wait=N` (long poll) and
/// `GET /calls/{id}/events` (Server-Sent Events). Both read the call, subscribe to it if they are to wait, read
/// it again (it may have changed in between), and then again only when the hub says it changed.
///
/// A graceful shutdown ends every wait at once: the server waits for open responses before it stops, and
/// these would otherwise hold it for up to `streamLifetime`. Requests run inside the HTTP server's service,
/// so its shutdown handler is theirs too.
struct CallWatch<Calls: CallRepository>: Sendable {
    let calls: Calls
    let hub: CallStatusHub
    /// Keeps proxies from closing an idle event stream.
    var keepAliveInterval: Duration = .seconds(15)
    /// A stream ends after this long even if the call is not final (the client reconnects and gets the
    /// current status first), so no connection is held for ever and load balancers can rebalance.
    var streamLifetime: Duration = .seconds(3600)

    static var maxWaitSeconds: Int { 60 }

    /// The `wait` parameter: 0 to 60 seconds, nil when absent.
    static func waitSeconds(_ request: Request) throws -> Int? {
        guard let text = request.uri.queryParameters.get("wait"), !text.isEmpty else { return nil }
        guard let seconds = Int(text), (0...maxWaitSeconds).contains(seconds) else {
            throw Problem.validation(field: "wait", "must be a whole number of seconds from 0 to \(maxWaitSeconds)")
        }
        return seconds
    }

    /// The call once its status differs from what it was when asked (or it is final already), or as it is
    /// when `seconds` have passed or the server shuts down.
    func call(_ id: UUID, changingWithin seconds: Int) async throws -> Call {
        guard let first = try await calls.find(id: id) else { throw Problem.callNotFound(id.lowercasedString) }
        if first.status.isFinal || seconds == 0 { return first }
        let subscription = try subscribe(to: id)
        defer { subscription.end() }
        let deadline = ContinuousClock.now + .seconds(seconds)
        return try await withGracefulShutdownHandler {
            while await subscription.wait(until: deadline) == .signalled {
                guard let current = try await calls.find(id: id) else { throw Problem.callNotFound(id.lowercasedString) }
                if current.status != first.status { return current }
            }
            return try await calls.find(id: id) ?? first
        } onGracefulShutdown: {
            subscription.close()
        }
    }

    @Sendable func events(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let id = try callID(context)
        guard let first = try await calls.find(id: id) else { throw Problem.callNotFound(id.lowercasedString) }
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-store"]
        if first.status.isFinal { return Response(status: .ok, headers: headers, body: .init(byteBuffer: try Self.event(first))) }
        let subscription = try subscribe(to: id)
        // A client that goes away while the stream is idle would otherwise keep its place until the next
        // keep-alive write fails. Weak: the callback lives as long as the connection, the stream may not.
        context.connectionClosed.whenComplete { [weak subscription] _ in subscription?.close() }
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                try await follow(id, from: first, on: subscription) { change in
                    switch change {
                    case .status(let call): try await writer.write(try Self.event(call))
                    case .quiet: try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    case .deleted: try await writer.write(ByteBuffer(string: "event: deleted\ndata: {}\n\n"))
                    }
                }
                try await writer.finish(nil)
            })
    }

    /// What a follower is told.
    enum Change {
        case status(Call)
        /// Nothing happened for `keepAliveInterval`.
        case quiet
        /// The call is gone; nothing follows.
        case deleted
    }

    /// Waits for the status of a call that is not final yet: tells `first`, then the call at every status
    /// change until it is final, it is deleted, `streamLifetime` is over, the subscription is closed (the
    /// client went away) or the server shuts down. Ends the subscription.
    func watch(_ id: UUID, tell: (Change) async throws -> Void) async throws {
        guard let first = try await calls.find(id: id) else { throw Problem.callNotFound(id.lowercasedString) }
        if first.status.isFinal { return try await tell(.status(first)) }
        try await follow(id, from: first, on: try subscribe(to: id), tell: tell)
    }

    private func follow(
        _ id: UUID, from first: Call, on subscription: CallStatusSubscription, tell: (Change) async throws -> Void
    ) async throws {
        defer { subscription.end() }
        let closesAt = ContinuousClock.now + streamLifetime
        try await withGracefulShutdownHandler {
            try await tell(.status(first))
            var last = first.status
            while !last.isFinal {
                // A cancelled wait returns at once: without this, a follower whose RPC was cancelled would spin.
                try Task.checkCancellation()
                let now = ContinuousClock.now
                if now >= closesAt { return }
                switch await subscription.wait(until: min(now + keepAliveInterval, closesAt)) {
                case .closed:
                    return
                case .timedOut:
                    if ContinuousClock.now < closesAt { try await tell(.quiet) }
                case .signalled:
                    guard let current = try await calls.find(id: id) else { return try await tell(.deleted) }
                    if current.status != last {
                        try await tell(.status(current))
                        last = current.status
                    }
                }
            }
        } onGracefulShutdown: {
            subscription.close()
        }
    }

    /// A place in the hub, or the problem saying there is none; signalled at once, since the call may have
    /// changed between the first read and now.
    private func subscribe(to id: UUID) throws -> CallStatusSubscription {
        let subscription: CallStatusSubscription
        do {
            subscription = try hub.subscribe(to: id)
        } catch {
            throw Problem.watchRefused(error)
        }
        subscription.signal()
        return subscription
    }

    /// `event: status` with the call as JSON; the id is the status, so a reconnecting client can tell where
    /// it was.
    static func event(_ call: Call) throws -> ByteBuffer {
        let json = try JSONCoding.encodeToString(call)
        return ByteBuffer(string: "event: status\nid: \(call.status.rawValue)\ndata: \(json)\n\n")
    }
}
