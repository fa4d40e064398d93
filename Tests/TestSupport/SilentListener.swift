import Foundation
import Synchronization

/// A loopback port that accepts TCP connections (the kernel completes the handshake) and never answers: a
/// Redis that hangs, as behind a stuck proxy or a half-dead network path.
public final class SilentListener: @unchecked Sendable {
    public let port: Int
    private let descriptor: Int32
    private let accepted = Mutex<[Int32]>([])

    /// With `counting`, a thread accepts the connections (and holds them, silent) so `connections` can tell
    /// how many clients opened.
    public init(counting: Bool = false) throws {
        (descriptor, port) = try listeningOnLoopback()
        guard counting else { return }
        Thread { [descriptor, weak self] in
            while true {
                let connection = accept(descriptor, nil, nil)
                guard connection >= 0, let self else { return }
                self.accepted.withLock { $0.append(connection) }
            }
        }.start()
    }

    /// Connections accepted so far (with `counting`).
    public var connections: Int { accepted.withLock { $0.count } }

    deinit {
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
        for connection in accepted.withLock({ $0 }) { close(connection) }
    }
}

/// A socket listening on a free loopback port, and the port.
func listeningOnLoopback() throws -> (Int32, Int) {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard let port = bindToFreeLoopbackPort(descriptor), listen(descriptor, 16) == 0 else {
        close(descriptor)
        throw POSIXError(.EADDRNOTAVAIL)
    }
    return (descriptor, port)
}

/// Binds `descriptor` to a port the kernel picks on 127.0.0.1; returns the port, nil on failure.
public func bindToFreeLoopbackPort(_ descriptor: Int32) -> Int? {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
        }
    }
    return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
}

/// A loopback HTTP receiver that answers the head of a 200 with a body length, then never sends the body:
/// a callback receiver that tries to hold the worker's slot.
public final class StallingBodyReceiver: @unchecked Sendable {
    public let port: Int
    private let descriptor: Int32

    public init() throws {
        (descriptor, port) = try listeningOnLoopback()
        Thread { [descriptor = self.descriptor] in
            let connection = accept(descriptor, nil, nil)
            guard connection >= 0 else { return }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            _ = recv(connection, &buffer, buffer.count, 0)
            let head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
            _ = head.utf8CString.withUnsafeBytes { send(connection, $0.baseAddress!, $0.count - 1, Int32(MSG_NOSIGNAL)) }
            // Holds the connection until the client closes it.
            while recv(connection, &buffer, buffer.count, 0) > 0 {}
            close(connection)
        }.start()
    }

    deinit {
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
    }
}
