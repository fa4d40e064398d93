import Foundation

/// A loopback port that accepts TCP connections (the kernel completes the handshake) and never answers: a
/// Redis that hangs, as behind a stuck proxy or a half-dead network path.
final class SilentListener: @unchecked Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard let port = bindToFreeLoopbackPort(descriptor), listen(descriptor, 16) == 0 else {
            close(descriptor)
            throw SetupError("cannot listen on a loopback port")
        }
        self.descriptor = descriptor
        self.port = port
    }

    deinit { close(descriptor) }
}

/// Binds `descriptor` to a port the kernel picks on 127.0.0.1; returns the port, nil on failure.
func bindToFreeLoopbackPort(_ descriptor: Int32) -> Int? {
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
