import CallsCore
import Foundation
import Hummingbird
import NIOCore

/// The request context of every route: the service's JSON dialect for bodies in and out, and the peer's
/// address (the proxy's, behind one).
public struct CallsRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The peer's IP address, or "" when unknown (tests without a socket).
    var clientAddress: String { remoteAddress?.ipAddress ?? "" }

    public var requestDecoder: JSONDecoder { JSONCoding.makeDecoder() }
    public var responseEncoder: JSONEncoder { JSONCoding.makeEncoder() }
}
