import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request body arrives slower than `pace`, on every route. Hummingbird's idle
/// timer restarts with each body part, and a body the route never reads is still drained after the answer,
/// so without this `GET /healthz` with a huge `Content-Length` and a byte every few seconds would hold a
/// connection for ever. Uploads answer 408 themselves first (`UploadPace` with half this grace); this is the
/// backstop for every other route.
final class RequestBodyPaceHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    let pace: UploadPace
    private var bodyStarted: ContinuousClock.Instant?
    private var bodyBytes: Int64 = 0

    init(pace: UploadPace) {
        self.pace = pace
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            bodyStarted = .now
            bodyBytes = 0
        case .body(let chunk):
            bodyBytes += Int64(chunk.readableBytes)
            if let bodyStarted, pace.isTooSlow(bytes: bodyBytes, elapsed: .now - bodyStarted) {
                context.close(promise: nil)
                return
            }
        case .end:
            bodyStarted = nil
        }
        context.fireChannelRead(data)
    }
}
