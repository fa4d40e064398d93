import CallsCore
import Foundation
import Hummingbird
import NIOCore

/// The request context of every route: the service's JSON dialect for bodies in and out.
public struct CallsRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Completes when the client's connection closes, so an event stream can end without waiting to fail a write.
    public let connectionClosed: EventLoopFuture<Void>

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        connectionClosed = source.channel.closeFuture
    }

    public var requestDecoder: JSONDecoder { JSONCoding.makeDecoder() }
    public var responseEncoder: JSONEncoder { JSONCoding.makeEncoder() }
}
