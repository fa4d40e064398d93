import CallsCore
import Foundation
import Hummingbird
import NIOCore

/// The request context of every route: the service's JSON dialect for bodies in and out, and the peer's
/// address (the proxy's, behind one).
public struct CallsRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// Completes when the client's connection closes, so an event stream can end without waiting to fail a write.
    public let connectionClosed: EventLoopFuture<Void>

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        connectionClosed = source.channel.closeFuture
    }

    /// The peer's IP address, or "" when unknown (tests without a socket).
    var clientAddress: String { remoteAddress?.ipAddress ?? "" }

    public var requestDecoder: JSONDecoder { JSONCoding.makeDecoder() }
    public var responseEncoder: JSONEncoder { JSONCoding.makeEncoder() }
}
