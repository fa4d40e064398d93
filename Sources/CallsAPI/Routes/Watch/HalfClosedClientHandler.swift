import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Ends a connection whose client has closed its side while it is watching a call (an event stream, or a
/// long poll with `wait=`), after a grace period. Hummingbird allows half-closed connections, so a client
/// that closes such a request normally (a FIN, not a reset) would otherwise keep its watcher's place, and its
/// descriptor, until the next keep-alive write fails. Every other request, a download or an upload from a
/// client that half-closes after sending it, is answered in full.
final class HalfClosedClientHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let grace: TimeAmount
    /// The request being answered waits for a call to change, and so may never end by itself.
    private var watching = false
    private var pendingClose: Scheduled<Void>?

    init(grace: TimeAmount = .seconds(1)) {
        self.grace = grace
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) { watching = Self.isWatch(head.path ?? "") }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { watching = false }
        context.write(data, promise: promise)
    }

    /// `GET /calls/{id}/events` and `GET /calls/{id}?wait=N`.
    static func isWatch(_ target: String) -> Bool {
        let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        return trimmed.hasSuffix("/events") || target.contains("?wait=") || target.contains("&wait=")
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed, pendingClose == nil {
            let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            pendingClose = context.eventLoop.scheduleTask(in: grace) {
                let (handler, context) = loopBound.value
                if handler.watching { context.close(promise: nil) }
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        pendingClose?.cancel()
    }
}
