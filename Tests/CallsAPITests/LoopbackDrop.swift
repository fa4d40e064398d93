import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Clients that leave abruptly, for the server's clean-up paths.
enum LoopbackDrop {
    /// Connects to the loopback port, sends `request`, and drops the connection at once: with `reset`, by an
    /// RST (SO_LINGER 0), else by a plain close.
    static func sendAndDrop(port: Int, request: String, reset: Bool) throws {
        let connection = try RawHTTPConnection(port: port)
        connection.send(request)
        if reset { connection.resetOnClose() }
        connection.close()
    }

    /// This process's resident memory, from /proc.
    static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
