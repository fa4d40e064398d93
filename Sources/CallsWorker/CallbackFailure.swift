import AsyncHTTPClient
import NIOCore
import NIOPosix

/// Why one delivery attempt did not take, as coarsely as the API user is told (in `callback.error`). The
/// exact status or error stays in the worker log: reported back, it would turn callbacks into a scanner of
/// whatever the worker can reach (which port answers, with what, which refuses).
public enum CallbackFailure: String, Sendable, Equatable, CaseIterable {
    case unresolvable
    case couldNotConnect
    case timedOut
    case tlsFailed
    case redirected
    case rejected
    case other

    public var message: String {
        switch self {
        case .unresolvable: "the callback host name did not resolve"
        case .couldNotConnect: "could not connect to the receiver, or the connection broke"
        case .timedOut: "the receiver did not answer in time"
        case .tlsFailed: "the TLS handshake with the receiver failed"
        case .redirected: "the receiver answered with a redirect; redirects are not followed"
        case .rejected: "the receiver answered with a status other than 2xx"
        case .other: "delivering the callback failed"
        }
    }

    /// The class of an answer that is not 2xx.
    init(status: Int) {
        self = (300..<400).contains(status) ? .redirected : .rejected
    }

    /// The class of whatever the HTTP client threw.
    init(classifying error: any Error) {
        switch error {
        case let error as HTTPClientError:
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .getConnectionFromPoolTimeout:
                self = .timedOut
            case .tlsHandshakeTimeout:
                self = .tlsFailed
            case .remoteConnectionClosed:
                self = .couldNotConnect
            default:
                self = .other
            }
        case let error as ChannelError:
            if case .connectTimeout = error { self = .timedOut } else { self = .couldNotConnect }
        case is IOError, is NIOConnectionError:
            self = .couldNotConnect
        default:
            // NIOSSL's errors (handshake, certificate, BoringSSL) are told by their module: CallsWorker does
            // not depend on NIOSSL itself, and its types are not otherwise visible here.
            self = String(reflecting: type(of: error)).hasPrefix("NIOSSL.") ? .tlsFailed : .other
        }
    }
}
