import CallsCore
import CallsStore
import Foundation
import Hummingbird
import NIOCore

/// Waiting for a call to change without polling the database: `GET /calls/{id}?wait=N` (long poll) and
/// `GET /calls/{id}/events` (Server-Sent Events). Both read the call once, then again only when the hub says
/// it changed.
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
    /// when `seconds` have passed.
    func call(_ id: UUID, changingWithin seconds: Int) async throws -> Call {
        let subscription = hub.subscribe(to: id)
        defer { hub.unsubscribe(subscription) }
        guard let first = try await calls.find(id: id) else { throw Problem.callNotFound(id.lowercasedString) }
        if first.status.isFinal || seconds == 0 { return first }
        let deadline = ContinuousClock.now + .seconds(seconds)
        while await subscription.wait(until: deadline) {
            guard let current = try await calls.find(id: id) else { throw Problem.callNotFound(id.lowercasedString) }
            if current.status != first.status { return current }
        }
        return try await calls.find(id: id) ?? first
    }

    @Sendable func events(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let id = try callID(context)
        let hub = self.hub
        let subscription = hub.subscribe(to: id)
        let first: Call
        do {
            guard let found = try await calls.find(id: id) else { throw Problem.callNotFound(id.lowercasedString) }
            first = found
        } catch {
            hub.unsubscribe(subscription)
            throw error
        }
        let calls = self.calls
        let keepAlive = keepAliveInterval
        let closesAt = ContinuousClock.now + streamLifetime
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-store"]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            defer { hub.unsubscribe(subscription) }
            try await writer.write(try Self.event(first))
            var last = first.status
            while !last.isFinal {
                let now = ContinuousClock.now
                if now >= closesAt { break }
                guard await subscription.wait(until: min(now + keepAlive, closesAt)) else {
                    if ContinuousClock.now < closesAt { try await writer.write(ByteBuffer(string: ": keep-alive\n\n")) }
                    continue
                }
                guard let current = try await calls.find(id: id) else {
                    try await writer.write(ByteBuffer(string: "event: deleted\ndata: {}\n\n"))
                    break
                }
                if current.status != last {
                    try await writer.write(try Self.event(current))
                    last = current.status
                }
            }
            try await writer.finish(nil)
        })
    }

    /// `event: status` with the call as JSON; the id is the status, so a reconnecting client can tell where
    /// it was.
    static func event(_ call: Call) throws -> ByteBuffer {
        let json = try JSONCoding.encodeToString(call)
        return ByteBuffer(string: "event: status\nid: \(call.status.rawValue)\ndata: \(json)\n\n")
    }
}
