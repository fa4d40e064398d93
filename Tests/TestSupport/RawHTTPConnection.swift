import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A bare TCP connection for the protocol details an HTTP client library hides (interim responses). Unchecked
/// Sendable: one task at a time uses it, handing it over (e.g. to `offThePool`).
public final class RawHTTPConnection: @unchecked Sendable {
    private let descriptor: Int32

    public init(port: Int, receiveTimeoutSeconds: Int = 3) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { throw POSIXError(.ECONNREFUSED) }
    }

    private let closed = Mutex(false)

    deinit { close() }

    /// Closes the connection now (at the latest, it closes when released).
    public func close() {
        let wasClosed = closed.withLock { closed in
            defer { closed = true }
            return closed
        }
        if !wasClosed { Glibc.close(descriptor) }
    }

    /// Makes the close in `deinit` an RST (SO_LINGER 0), as from a client that crashed or lost its network.
    public func resetOnClose() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }

    public func send(_ data: Data) {
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                // MSG_NOSIGNAL: a server that has closed must not kill the test process with SIGPIPE.
                let sent = Glibc.send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return }
                offset += sent
            }
        }
    }

    /// Reads until `marker` has arrived, the peer closes, or the receive timeout passes.
    public func receive(until marker: String) -> String {
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: received, as: UTF8.self).contains(marker) {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Closes the sending side only (a FIN), as a client does that has sent its last request.
    public func shutdownWrite() {
        shutdown(descriptor, Int32(SHUT_WR))
    }

    public func send(_ text: String) {
        send(Data(text.utf8))
    }

    /// True once the server has answered or closed; never waits, and leaves any answer to be received.
    public var hasAnswerOrClosed: Bool {
        var byte: UInt8 = 0
        let count = recv(descriptor, &byte, 1, Int32(MSG_DONTWAIT | MSG_PEEK))
        return count >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
    }

    /// True once the server has closed (or reset) the connection; never waits. Whatever the server sent
    /// before is read and dropped on the way (an answer may come before the close).
    public var isClosedByPeer: Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count == 0 { return true }
            if count < 0 { return errno != EAGAIN && errno != EWOULDBLOCK }
        }
    }
}

/// Runs blocking socket calls on a thread of their own: on the cooperative pool (two threads here) they
/// would starve the server they talk to.
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
