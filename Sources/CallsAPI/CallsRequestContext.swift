import CallsCore
import Foundation
import Hummingbird

/// The request context of every route: the service's JSON dialect for bodies in and out.
public struct CallsRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    public var requestDecoder: JSONDecoder { JSONCoding.makeDecoder() }
    public var responseEncoder: JSONEncoder { JSONCoding.makeEncoder() }
}
