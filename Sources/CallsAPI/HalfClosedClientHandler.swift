import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Ends a connection whose client has closed its side while a response is still being written after a
/// grace period. Hummingbird allows half-closed connections, so a client that closes an event stream or a
/// long poll normally (a FIN, not a reset) would otherwise keep its place, and its descriptor, until the next
/// keep-alive write fails. The grace lets the rare client that half-closes after its request still receive
/// an ordinary answer.
final class HalfClosedClientHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let grace: TimeAmount
    private var responding = false
    private var pendingClose: Scheduled<Void>?

    init(grace: TimeAmount = .seconds(1)) {
        self.grace = grace
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { responding = true }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { responding = false }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed, pendingClose == nil {
            let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            pendingClose = context.eventLoop.scheduleTask(in: grace) {
                let (handler, context) = loopBound.value
                if handler.responding { context.close(promise: nil) }
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        pendingClose?.cancel()
    }
}
